"""The ``sxgeo`` Processing provider."""

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS


class SxgeoProvider(QgsProcessingProvider):
    """sxgeo's algorithms, one per capability (id ``sxgeo``)."""

    def id(self):
        return "sxgeo"

    def name(self):
        return "sxgeo 绍兴气候规划 Shaoxing climate plan"

    def longName(self):
        return self.name()

    def icon(self):
        icon = Path(__file__).with_name("icon.svg")
        return QIcon(str(icon)) if icon.is_file() else QgsProcessingProvider.icon(self)

    def loadAlgorithms(self):
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
