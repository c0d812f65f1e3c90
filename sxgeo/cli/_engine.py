"""Options shared by the commands that run on the Dask engine, with their Chinese help.

The Chinese entries are added to :data:`sxgeo.cli._zh.HELP_ZH` when this module is imported
(``sxgeo.cli._register`` imports it before any help is shown).
"""

from __future__ import annotations

from sxgeo.cli._zh import HELP_ZH

ENGINE_HELP = "Engine: memory (default, the reference) or dask (partitioned inputs, a cluster)."
SCHEDULER_HELP = "Dask scheduler address of a running cluster (default: a LocalCluster on this machine)."
WORKERS_HELP = "Workers of the LocalCluster (default one per core)."
CHECK_ENGINE_HELP = (
    "Engine: memory (default) or dask (PATH a folder or glob of GeoParquet parts, each checked by a task)."
)

HELP_ZH.update(
    {
        ENGINE_HELP: "计算引擎:memory(缺省,基准)或 dask(分区输入、集群)。",
        SCHEDULER_HELP: "已运行 Dask 集群的调度器地址(缺省:在本机启动 LocalCluster)。",
        WORKERS_HELP: "LocalCluster 的工作进程数(缺省每核一个)。",
        CHECK_ENGINE_HELP: (
            "计算引擎:memory(缺省)或 dask(PATH 为 GeoParquet 分块文件夹或通配符,每块一个任务检查)。"
        ),
        "Partition a big layer by Hilbert distance into GeoParquet parts (EPSG:4549) for --engine dask.": (
            "按希尔伯特曲线距离将大图层分区为 GeoParquet 分块(EPSG:4549),供 --engine dask 使用。"
        ),
        "Layer to partition (any format sxgeo reads).": "要分区的图层(sxgeo 可读的任意格式)。",
        "New folder for the GeoParquet parts.": "存放 GeoParquet 分块的新文件夹。",
        "Number of parts (default one per 200,000 features).": "分块数(缺省每 20 万个要素一块)。",
        "CRS of a layer that carries none.": "图层无坐标系时指定的坐标系。",
    }
)
