"""The plan's progress report: indicator registry, history of values, status methods, HTML/PDF/XLSX.

:mod:`sxgeo.report.registry` reads a plan's indicators (YAML), :mod:`sxgeo.report.history`
keeps the values by year, :mod:`sxgeo.report.status` judges each value against its target, and
:mod:`sxgeo.report.page` writes ``index.html`` (offline, inline SVG), ``report.pdf`` and XLSX.
"""
