"""Rewrite sxgeo/data/pv_yield_precomputed.json: the default yield and horizon-loss tables as computed.

Run after changing the PV yield model, the monthly GHI table or the shipped roof mounts:
``PYTHONPATH=. python tools/pv_precompute.py``. tests/pv/test_pv_precomputed.py checks that the stored
tables are what the code computes, to the last bit.
"""

from __future__ import annotations

import json
from pathlib import Path

from sxgeo.pv import energy


def main() -> None:
    """Write the file (to a temporary name, then renamed into place)."""
    path = Path(__file__).resolve().parent.parent / "sxgeo" / "data" / energy.PRECOMPUTED
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(energy.precomputed_tables(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    tmp.replace(path)
    print(f"wrote {path}")  # noqa: T201 (a maintainer's script)


if __name__ == "__main__":
    main()
