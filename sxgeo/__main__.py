"""``python -m sxgeo``: the ``sxgeo`` command, where the scripts folder is not on PATH (Windows)."""

from sxgeo.cli import main

main()
