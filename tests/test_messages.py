"""Issue 21: what sxgeo tells its user is in Chinese with the English beside it (sxgeo.messages)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sxgeo.capabilities import CAPABILITIES
from sxgeo.messages import MESSAGE_LANG, SEP, say, to_zh

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("kind", "english", "chinese"),
    [
        ("error", "建成区.shp: no such file", "建成区.shp:文件不存在"),
        ("error", "a.csv: row 3 column code: '3.306e+11' lost its last 3 digits to scientific notation; x",
         "a.csv: row 3 column code:'3.306e+11' 被科学计数法截去了末尾 3 位,"
         "请把该列设为文本后重新导出"),
        ("error", "list.csv row 2: '33060' has 5 digits, a code here has 9; check the cell",
         "list.csv row 2:'33060' 有 5 位数字,此处代码应为 9 位,请检查单元格"),
        ("error", "v.csv row 4: 'abc' is not a code; write the digits",
         "v.csv row 4:'abc' 不是代码,请填写数字代码"),
        ("error", "h.xlsx: row 3 column co2_t: '—' is not a number; write a plain number such as 19.5, "
                  "or leave the cell empty for no value",
         "h.xlsx:第 3 行 co2_t 列的 '—' 不是数字:请填纯数字(如 19.5),无数据请留空"),
        ("error", "p.gpkg: feature 7 column area is blank; a number is required",
         "p.gpkg:要素 7 area 列为空,此处必须填数字"),
        ("error", "sxgeo.toml: unknown section [spnge] (known: project, sponge)",
         "sxgeo.toml:未知的节 [spnge]"),
        ("skip", "pilot siting: skipped, needs [pilots] villages",
         "低(零)碳试点选址:已跳过,项目文件需填写 [pilots] villages"),
        ("note", "sponge: 72 projects not counted: status not completed/accepted",
         "海绵城市:72 个项目未计入:状态不是已完工/已验收"),
        ("note", "village: 146 candidates, 12 removed by gates, N = 20 (fixed pilots inside N)",
         "村(社区):146 个候选,12 个因门槛排除,入选 20 个(含既有试点)"),
    ],
)  # fmt: skip
def test_templates_put_the_chinese_before_the_english(kind, english, chinese):
    assert to_zh(english, kind) == chinese
    assert say(english, kind, lang="zh") == f"{chinese}{SEP}{english}"
    assert say(english, kind, lang="en") == english
    assert say(say(english, kind, lang="zh"), kind, lang="zh") == f"{chinese}{SEP}{english}"  # once only


def test_an_unknown_message_stays_english_and_the_language_follows_the_context():
    assert say("something new happened") == "something new happened"
    token = MESSAGE_LANG.set("en")
    try:
        assert say("x.shp: no such file", "error") == "x.shp: no such file"
    finally:
        MESSAGE_LANG.reset(token)
    assert say("x.shp: no such file", "error").startswith("x.shp:文件不存在 · ")


def test_every_build_step_has_a_chinese_progress_label_and_skip_line():
    for cap in CAPABILITIES:
        assert to_zh(cap.step, "progress"), cap.step
        if not cap.missing():  # always ready (the county overview): never skipped
            continue
        line = f"{cap.step}: skipped, needs {cap.missing()}"
        zh = to_zh(line, "skip")
        assert zh is not None and zh.startswith(to_zh(cap.step, "progress") + ":已跳过"), line
    assert to_zh("report", "progress") == "规划进展报告"


def test_every_note_of_the_tiny_build_has_its_chinese(tiny_build):
    """Each line of every .notes.txt and of every workbook's notes sheet: Chinese first, then the English."""
    untranslated = set()
    files = sorted(tiny_build.out.glob("*.notes.txt"))
    assert len(files) >= 10
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines() if ln]
    for book in sorted(tiny_build.out.glob("*.xlsx"))[:6]:
        sheets = pd.read_excel(book, sheet_name=None, header=None)
        if "notes" in sheets:
            lines += [str(v) for v in sheets["notes"].iloc[:, 0].dropna()]
    for line in lines:
        if not CJK.search(line.partition(SEP)[0]) or (SEP not in line and "合成示例数据" not in line):
            untranslated.add(line)
    assert not untranslated, "add a template to sxgeo.messages.NOTES:\n" + "\n".join(sorted(untranslated))
    assert any(ln.startswith("计入项目:") and "projects counted:" in ln for ln in lines)
