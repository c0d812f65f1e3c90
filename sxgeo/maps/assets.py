"""The JavaScript and CSS that sxgeo inlines into its maps.

Third-party assets come from the npm registry at pinned versions and are committed as package
data in ``sxgeo/maps/assets/`` with their licences beside them and a ``VERSIONS.json`` of
checksums. Refresh them from a source checkout with::

    python tools/refresh_map_assets.py     # needs npm; rewrites sxgeo/maps/assets/

The refresh strips ``sourceMappingURL`` comments (a source map is a request) and replaces the
``url(images/...)`` references of the stylesheets with data URIs, so an inlined page never
asks for a file beside it. ``sxgeo.js``/``sxgeo.css`` are sxgeo's own (MIT): the layer
switcher, legends, tooltips, measure, search and fullscreen tools.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

BUNDLES: dict[str, tuple[str, ...]] = {
    "leaflet": ("leaflet.css", "leaflet.js"),
    "markercluster": ("MarkerCluster.css", "MarkerCluster.Default.css", "leaflet.markercluster.js"),
    "sxgeo": ("sxgeo.css", "sxgeo.js"),
}
"""Files of each bundle, in the order they go into a page."""


@cache
def read_asset(filename: str) -> str:
    """Text of one asset file shipped in ``sxgeo/maps/assets/``.

    Parameters
    ----------
    filename : str
        For example ``"leaflet.js"``.

    Returns
    -------
    str
    """
    return resources.files("sxgeo.maps").joinpath("assets", filename).read_text(encoding="utf-8")


def inline(bundles: tuple[str, ...]) -> str:
    """HTML ``<style>``/``<script>`` elements holding the given bundles, for a page header.

    Parameters
    ----------
    bundles : tuple of str
        Names from :data:`BUNDLES`, in load order.

    Returns
    -------
    str
    """
    parts = []
    for bundle in bundles:
        for filename in BUNDLES[bundle]:
            text = read_asset(filename)
            # a literal "</script>" inside the code would end the element early
            text = text.replace("</script", "<\\/script")
            tag = "style" if filename.endswith(".css") else "script"
            parts.append(f"<{tag} data-asset={filename!r}>\n{text}\n</{tag}>")
    return "\n".join(parts)
