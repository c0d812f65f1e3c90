"""sxgeo Processing: a QGIS plugin whose provider puts sxgeo's capabilities in the Processing toolbox.

``qgis_process`` calls only :meth:`SxgeoPlugin.initProcessing`, so nothing on that path touches the GUI.
"""


def classFactory(iface):
    """The plugin object QGIS loads."""
    from .plugin import SxgeoPlugin

    return SxgeoPlugin(iface)
