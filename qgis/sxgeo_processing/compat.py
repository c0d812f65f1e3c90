"""What differs between QGIS 3.22 and later 3.x / 4.x (Qt6), and where sxgeo is.

Only ``qgis.PyQt`` is imported (never PyQt5/PyQt6 directly). Enum values moved from the classes
(``QgsProcessing.TypeVectorPolygon``) to ``Qgis`` scoped enums in 3.36; QGIS 4 drops the old
names, so each is looked up here once.

sxgeo runs in its own interpreter (see :mod:`.algorithms`): ``SXGEO_PYTHON`` when set (a
Python with sxgeo installed, e.g. a venv's), else the Python QGIS runs.
"""

import os
import shutil
import subprocess
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

_FOUND = {}


def qgis_python():
    """The Python QGIS runs (``sys.executable`` is the QGIS binary before QGIS 4.4, qgis/QGIS#67318)."""
    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):
        return str(exe)
    if os.name == "nt":
        return str(Path(sys.prefix) / "python.exe")
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return shutil.which(name) or shutil.which("python3") or name


def sxgeo_python():
    """The interpreter that runs sxgeo: ``SXGEO_PYTHON``, else QGIS's Python."""
    return os.environ.get("SXGEO_PYTHON") or qgis_python()


def sxgeo_command():
    """``[python, "-m", "sxgeo"]``, or None when that interpreter cannot import sxgeo (checked once)."""
    python = sxgeo_python()
    if python not in _FOUND:
        try:
            probe = subprocess.run(
                [python, "-c", "import sxgeo"], capture_output=True, timeout=120, check=False
            )
            _FOUND[python] = probe.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _FOUND[python] = False
    return [python, "-m", "sxgeo"] if _FOUND[python] else None


def install_hint():
    """The one-line message when sxgeo is missing: the pip command for that interpreter, and the wheelhouse."""
    py = sxgeo_python()
    return (
        f"sxgeo is not installed for {py} / 该 Python 中未安装 sxgeo: "
        f'run "{py}" -m pip install sxgeo (on an intranet: "{py}" -m pip install --no-index '
        "--find-links <wheelhouse folder> sxgeo), or set SXGEO_PYTHON to a Python that has it; "
        "see docs/qgis.md"
    )
