"""Fast paths of layer validation against the plain pandas / geopandas way."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo.io import validate
from sxgeo.io.vector import geometry_type_counts


def test_geometry_type_counts_equal_geopandas_value_counts():
    """Every GEOS type, an empty one and a missing one: the same names, counts and order as geom_type."""
    box = shapely.box(0, 0, 1, 1)
    geoms = np.array(
        [shapely.Point(0, 0), box, None, shapely.MultiPolygon([box]), shapely.box(0, 0, 2, 2),
         shapely.LineString([(0, 0), (1, 1)]), shapely.MultiLineString([[(0, 0), (1, 1)]]),
         shapely.GeometryCollection([shapely.Point(0, 0)]), shapely.LinearRing([(0, 0), (1, 0), (1, 1)]),
         shapely.MultiPoint([(0, 0)]), shapely.Polygon()],
        dtype=object,
    )  # fmt: skip
    want = gpd.GeoSeries(geoms).geom_type.dropna().value_counts()
    assert list(geometry_type_counts(geoms).items()) == list(want.items())


def test_same_shape_hash_flags_the_rows_pandas_flags():
    """Rows sharing bounds and vertex count with another: the hash finds exactly those pandas finds."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 30, 5_000).astype(float)
    geoms = shapely.box(x, x, x + 1, x + rng.integers(1, 3, 5_000))  # many exact repeats
    want = (
        pd.DataFrame(shapely.bounds(geoms))
        .assign(n=shapely.get_num_coordinates(geoms))
        .duplicated(keep=False)
    )
    np.testing.assert_array_equal(validate._same_shape(geoms), want.to_numpy())
