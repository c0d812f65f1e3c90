"""The fast paths of rooftop PV at a million roofs (issue 22) against plain shapely / numpy brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.pv import capacity
from sxgeo.pv.aggregate import GRID_MIN_POINTS, assign_points

X0, Y0 = 560_000.0, 3_320_000.0  # EPSG:4549 metres inside Shaoxing


def _brute_angles(geoms: np.ndarray, heights: np.ndarray, reach: float = 3.0) -> np.ndarray:
    """The rule of horizon_angles over every pair (n^2): taller, to the south, within reach x dh."""
    h = np.nan_to_num(heights, nan=0.0)
    xy = shapely.get_coordinates(shapely.centroid(geoms))
    r = np.sqrt(shapely.area(geoms) / np.pi)
    i, j = np.meshgrid(np.arange(len(h)), np.arange(len(h)), indexing="ij")
    d = np.maximum(np.hypot(xy[j, 0] - xy[i, 0], xy[j, 1] - xy[i, 1]) - r[i] - r[j], 0.5)
    dh = h[j] - h[i]
    ok = (dh > 0) & (xy[j, 1] < xy[i, 1]) & (d <= reach * dh)
    angle = np.where(ok, np.degrees(np.arctan2(dh, d)), 0.0)
    return angle.max(axis=1)


@pytest.mark.parametrize("kind", ["levels", "continuous"])
@pytest.mark.parametrize(("dense", "split"), [(True, 1), (True, 2), (True, 3), (False, 2)])
def test_horizon_angles_equal_a_search_over_every_pair(kind, dense, split, monkeypatch):
    """1,500 roofs in 1 km2, few distinct heights (one band per height) or continuous ones with unknowns
    (quantile bands): the grid search gives every angle of the n^2 search exactly, with the table of run
    starts and with the binary search, with grid cells of 1, 1/2 and 1/3 of the search side."""
    rng = np.random.default_rng(3)
    n = 1_500
    x, y = X0 + rng.uniform(0, 1000, n), Y0 + rng.uniform(0, 1000, n)
    w, d = rng.uniform(8, 40, n), rng.uniform(8, 40, n)
    geoms = shapely.box(x, y, x + w, y + d)
    if kind == "levels":
        h = rng.choice([3.0, 6.0, 9.0, 18.0, 30.0, 100.0], n, p=[0.35, 0.3, 0.15, 0.1, 0.07, 0.03])
    else:
        h = np.where(rng.random(n) < 0.05, np.nan, rng.gamma(2.0, 6.0, n))
    if not dense:
        monkeypatch.setattr(capacity, "DENSE_CELLS_MAX", 0)
    monkeypatch.setattr(capacity._south_candidates, "__kwdefaults__", {"split": split})
    got = capacity.horizon_angles(geoms, h)
    want = _brute_angles(geoms, h)
    assert (want > 0).sum() > 100  # the test sees shading
    np.testing.assert_array_equal(got, want)


def test_assign_points_grid_equals_a_point_by_point_test():
    """60,000 points (above GRID_MIN_POINTS: the grid path) over three units, two of them sharing a border
    and the third overlapping the second, with points exactly on the shared border (no unit contains them)
    and outside every unit: the codes those of STRtree 'contains' point by point, the later unit winning an
    overlap as there."""
    rng = np.random.default_rng(4)
    n = 60_000
    assert n >= GRID_MIN_POINTS
    a = shapely.box(X0, Y0, X0 + 5000, Y0 + 5000)
    b = shapely.Polygon(
        [(X0 + 5000, Y0), (X0 + 9000, Y0 + 1000), (X0 + 9000, Y0 + 5000), (X0 + 5000, Y0 + 5000)]
    )
    c = shapely.Point(X0 + 8000, Y0 + 4000).buffer(700)
    units = gpd.GeoDataFrame({"adcode": ["A", "B", "C"]}, geometry=[a, b, c], crs=sxcrs.METRIC)
    x, y = X0 - 500 + rng.uniform(0, 10_000, n), Y0 - 500 + rng.uniform(0, 6_000, n)
    x[:500] = X0 + 5000  # on the A|B border
    pts = shapely.points(x, y)
    got = assign_points(pts, units, "adcode")
    want = np.full(n, "", dtype=object)
    zi, pi = shapely.STRtree(pts).query(units.geometry.values, predicate="contains")
    want[pi] = units["adcode"].to_numpy()[zi]
    assert set(got[:500]) == {""}  # on the border: in neither
    assert (got == "").sum() > 1_000
    assert (got == "C").sum() > 100
    np.testing.assert_array_equal(got, want)


def test_text_heights_are_parsed_or_refused_by_feature():
    """A text height column (a shapefile's, a spreadsheet's): numbers read, '12米' refused naming the feature
    and the column, never read as an unknown height (which casts and receives no shade)."""
    from sxgeo.errors import SchemaError

    roofs = pd.DataFrame({"height_m": ["15.5", "", None, "９"]}, index=[10, 11, 12, 13])
    np.testing.assert_array_equal(capacity.roof_heights(roofs), [15.5, np.nan, np.nan, 9.0])
    floors = pd.DataFrame({"floors": ["6", "2"]})
    np.testing.assert_array_equal(
        capacity.roof_heights(floors), [6 * capacity.FLOOR_HEIGHT_M, 2 * capacity.FLOOR_HEIGHT_M]
    )
    numeric = pd.DataFrame({"height_m": [3.0, np.nan]})
    np.testing.assert_array_equal(capacity.roof_heights(numeric), [3.0, np.nan])
    bad = pd.DataFrame({"height_m": ["12", "12米"]}, index=[0, 7])
    bad.attrs["source"] = "roofs.shp"
    with pytest.raises(SchemaError, match=r"roofs.shp: feature 7 column height_m: '12米' is not a number"):
        capacity.roof_heights(bad)
