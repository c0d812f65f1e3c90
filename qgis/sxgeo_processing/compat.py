"""What differs between QGIS 3.22 and later 3.x / 4.x (Qt6), and the sxgeo check.

Only ``qgis.PyQt`` is imported (never PyQt5/PyQt6 directly). Enum values moved from the classes
(``QgsProcessing.TypeVectorPolygon``) to ``Qgis`` scoped enums in 3.36; QGIS 4 drops the old
names, so each is looked up here once.
"""

import importlib.util
import os
import sys
from pathlib import Path

from qgis.core import Qgis, QgsProcessing, QgsProcessingParameterFile, QgsProcessingParameterNumber


def _enum(old_owner, old_name, new_path):
    value = getattr(old_owner, old_name, None)
    if value is not None:
        return value
    obj = Qgis
    for part in new_path.split("."):
        obj = getattr(obj, part)
    return obj


TYPE_POLYGON = _enum(QgsProcessing, "TypeVectorPolygon", "ProcessingSourceType.VectorPolygon")
TYPE_POINT = _enum(QgsProcessing, "TypeVectorPoint", "ProcessingSourceType.VectorPoint")
TYPE_ANY = _enum(QgsProcessing, "TypeVectorAnyGeometry", "ProcessingSourceType.VectorAnyGeometry")
NUMBER_INTEGER = _enum(QgsProcessingParameterNumber, "Integer", "ProcessingNumberParameterType.Integer")
NUMBER_DOUBLE = _enum(QgsProcessingParameterNumber, "Double", "ProcessingNumberParameterType.Double")
FILE_FILE = _enum(QgsProcessingParameterFile, "File", "ProcessingFileParameterBehavior.File")


def sxgeo_available():
    """Whether the sxgeo package can be imported by QGIS's Python."""
    return importlib.util.find_spec("sxgeo") is not None


def qgis_python():
    """The interpreter QGIS runs (``sys.executable`` is the QGIS binary before QGIS 4.4, qgis/QGIS#67318)."""
    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):
        return str(exe)
    if os.name == "nt":
        return str(Path(sys.prefix) / "python.exe")
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def install_hint():
    """The one-line message when sxgeo is missing: the pip command for QGIS's interpreter, and the wheelhouse."""
    py = qgis_python()
    return (
        "sxgeo is not installed for QGIS's Python / QGIS 的 Python 中未安装 sxgeo: "
        f'run "{py}" -m pip install sxgeo (on an intranet: "{py}" -m pip install --no-index '
        "--find-links <wheelhouse folder> sxgeo; see docs/qgis.md), then restart QGIS"
    )
