"""``python -m sxgeo``: the ``sxgeo`` command, for consoles where the script folder is not on PATH (Windows)."""

from sxgeo.cli import main

main()
