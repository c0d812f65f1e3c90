"""sxgeo.parallel: chunks of a shapely call on threads give the whole call's result, element for element."""

from __future__ import annotations

import numpy as np
import shapely

from sxgeo import parallel


def test_chunked_equals_one_call_on_the_whole_array(monkeypatch):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 1_001), rng.uniform(0, 1000, 1_001)
    geoms = shapely.box(x, y, x + 10, y + 25)
    geoms[7] = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])  # a bow tie: invalid
    geoms[8] = None
    monkeypatch.setattr(parallel, "MIN_CHUNK", 100)  # chunks of ~333 on 3 threads
    for fn in (shapely.centroid, shapely.point_on_surface):
        got, want = parallel.chunked(fn, geoms, threads=3), fn(geoms)
        assert len(got) == len(want) == 1_001
        assert shapely.equals_exact(got[~shapely.is_missing(want)], want[~shapely.is_missing(want)], 0).all()
        assert shapely.is_missing(got[8])
    valid = parallel.chunked(shapely.is_valid, geoms, threads=3)
    np.testing.assert_array_equal(valid, shapely.is_valid(geoms))
    assert not valid[7]
    np.testing.assert_array_equal(
        parallel.chunked(shapely.get_coordinates, geoms[:5]), shapely.get_coordinates(geoms[:5])
    )
