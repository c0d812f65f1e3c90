"""Runs inside Debian's QGIS Python (``/usr/bin/python3``, ``python3-qgis``), for tests/e2e/test_qgis.py.

Usage: ``python3 tests/qgis_driver.py SPEC.json RESULT.json``. Headless (``QT_QPA_PLATFORM=offscreen``):
starts QGIS and Processing, loads the plugin from ``spec["plugin_dir"]`` the way QGIS does
(``classFactory(iface).initProcessing()``), lists the provider's algorithms, runs ``spec["runs"]``
and reports, for every ``spec["layers"]`` URI, the renderer of the layer as QGIS opens it and, for
``spec["projects"]``, the groups and layers of a project file. Every figure goes into RESULT.json;
the assertions are the test's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _renderer(layer) -> dict:
    from qgis.core import QgsExpressionContextUtils, QgsRenderContext

    r = layer.renderer()
    out = {
        "valid": layer.isValid(),
        "type": r.type() if r is not None else None,
        "features": layer.featureCount(),
    }
    if r is not None and r.type() == "categorizedSymbol":
        out["attr"] = r.classAttribute()
        out["classes"] = [[str(c.value()), c.label(), c.symbol().color().name()] for c in r.categories()]
    if r is not None and r.type() == "graduatedSymbol":
        out["attr"] = r.classAttribute()
        out["classes"] = [
            [x.lowerValue(), x.upperValue(), x.label(), x.symbol().color().name()] for x in r.ranges()
        ]
    if r is not None and layer.isValid():
        ctx = QgsRenderContext()
        ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        r.startRender(ctx, layer.fields())
        colours = []
        for f in layer.getFeatures():
            ctx.expressionContext().setFeature(f)  # as the map renderer does before asking
            symbols = r.symbolsForFeature(f, ctx)
            colours.append(symbols[0].color().name() if symbols else None)
        r.stopRender(ctx)
        out["feature_colours"] = colours
    return out


def _screenshots(app, spec: dict) -> dict:
    """The toolbox, an algorithm's dialog and a styled project rendered to PNG files (for the guide)."""
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.core import (
        QgsApplication,
        QgsCoordinateTransform,
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsProject,
    )
    from qgis.gui import QgsProcessingToolboxTreeView
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    folder = Path(spec["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    tree = QgsProcessingToolboxTreeView(None, QgsApplication.processingRegistry())
    tree.setFilterString("sxgeo")
    tree.expandAll()
    tree.resize(460, 480)
    tree.show()
    app.processEvents()
    out["toolbox"] = tree.grab().save(str(folder / "qgis_toolbox.png"))
    dialog = AlgorithmDialog(QgsApplication.processingRegistry().algorithmById(spec["dialog"]))
    dialog.resize(900, 650)
    dialog.show()
    app.processEvents()
    out["dialog"] = dialog.grab().save(str(folder / "qgis_dialog.png"))
    project = QgsProject.instance()
    project.read(spec["project"])
    layers = [layer for layer in project.layerTreeRoot().layerOrder() if layer.isValid()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(900, 700))
    settings.setBackgroundColor(QColor("white"))
    base = layers[-1]  # the counties, at the bottom
    extent = QgsCoordinateTransform(base.crs(), project.crs(), project).transformBoundingBox(base.extent())
    settings.setExtent(extent.buffered(extent.width() * 0.02))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    out["map"] = image.save(str(folder / "qgis_map.png"))
    out["map_colours"] = len({image.pixel(x, y) for x in range(0, 900, 9) for y in range(0, 700, 7)})
    project.clear()
    return out


def main(spec_path: str, result_path: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    from qgis.core import (
        Qgis,
        QgsApplication,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
        QgsVectorLayer,
    )

    app = QgsApplication([], bool(spec.get("screenshots")))  # widgets only for the screenshots
    app.initQgis()
    sys.path.append(str(Path(QgsApplication.pkgDataPath()) / "python" / "plugins"))
    from processing.core.Processing import Processing

    Processing.initialize()
    sys.path.insert(0, spec["plugin_dir"])
    import sxgeo_processing

    plugin = sxgeo_processing.classFactory(None)
    plugin.initProcessing()
    registry = QgsApplication.processingRegistry()
    result: dict = {
        "qgis": Qgis.QGIS_VERSION,
        "algorithms": sorted(a.id() for a in registry.providerById("sxgeo").algorithms()),
        "help": {a.id(): a.shortHelpString() for a in registry.providerById("sxgeo").algorithms()},
        "runs": [],
        "layers": {},
        "projects": {},
    }
    import processing

    for run in spec.get("runs", []):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = QgsProcessingFeedback()
        entry: dict = {"alg": run["alg"]}
        try:
            out = processing.run(run["alg"], run["params"], context=context, feedback=feedback)
            entry["results"] = {k: v for k, v in out.items() if isinstance(v, (str, int, float, type(None)))}
            loaded = {}
            for uri, details in context.layersToLoadOnCompletion().items():
                layer = QgsVectorLayer(uri, details.name, "ogr")
                post = details.postProcessor()
                if post is not None:
                    post.postProcessLayer(layer, context, feedback)
                loaded[details.name] = _renderer(layer)
            entry["loaded"] = loaded
        except Exception as exc:  # the message QGIS shows for a failed run
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["log"] = feedback.textLog()
        result["runs"].append(entry)
    for uri in spec.get("layers", []):
        result["layers"][uri] = _renderer(QgsVectorLayer(uri, "layer", "ogr"))
    for path in spec.get("projects", []):
        project = QgsProject.instance()
        ok = project.read(path)
        groups = {}
        for group in project.layerTreeRoot().children():
            groups[group.name()] = [
                [node.name(), node.layer().isValid() if node.layer() else False,
                 node.layer().renderer().type() if node.layer() and node.layer().renderer() else None]
                for node in group.children()
            ]  # fmt: skip
        result["projects"][path] = {"read": ok, "crs": project.crs().authid(), "groups": groups}
        project.clear()
    if spec.get("screenshots"):
        result["screenshots"] = _screenshots(app, spec["screenshots"])
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    # QGIS 3.22's teardown (exitQgis, or the interpreter's) crashes once Python objects such as the
    # layer post-processors are gone: the results are written, leave without it
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
