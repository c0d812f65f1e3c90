"""The plugin object: registers the provider; in the desktop, says when sxgeo is missing."""

from qgis.core import Qgis, QgsApplication

from .compat import install_hint, sxgeo_command
from .provider import SxgeoProvider


class SxgeoPlugin:
    """Registers :class:`SxgeoProvider` (``initProcessing``, the only call ``qgis_process`` makes)."""

    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        """Add the provider to the Processing registry (no GUI code, no sxgeo check: it runs at every start)."""
        if self.provider is None:
            self.provider = SxgeoProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        """Desktop start: the provider, and a message-bar note when sxgeo cannot be found."""
        self.initProcessing()
        if self.iface is not None and sxgeo_command() is None:
            self.iface.messageBar().pushMessage("sxgeo", install_hint(), level=Qgis.Warning, duration=0)

    def unload(self):
        """Remove the provider."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
