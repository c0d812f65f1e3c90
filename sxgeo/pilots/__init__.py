"""Low/zero-carbon pilot siting: match planners' lists, score candidates, select, explain.

* :mod:`sxgeo.pilots.match`: planners' lists -> 2023 division codes (normalised, aliased, historical,
  fuzzy; town codes in NBS or MCA codes).
* :mod:`sxgeo.pilots.score`: criteria (YAML), gates, weighted linear combination with per-criterion
  contributions, AHP weights with the consistency ratio, TOPSIS as a cross-check.
* :mod:`sxgeo.pilots.select`: the 0/1 programme (scipy.optimize.milp, HiGHS): N sites, county
  quotas, minimum spacing, existing pilots fixed in.
* :mod:`sxgeo.pilots.explain`: why each candidate was (not) selected, weight robustness
  (Monte-Carlo, one-at-a-time) and irreplaceability.
"""

from __future__ import annotations

EXISTING_PILOTS = {"330624107": "新昌县小将镇", "330602002053": "越城区西小路社区"}
"""The plan's existing low/zero-carbon pilots (indicator table row 14: 2020 baseline 0 counties,
1 town, 1 village); they count toward the 2025 totals of 1/10/100."""
