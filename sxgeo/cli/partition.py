"""``sxgeo partition``: write a big layer as Hilbert-ordered, partitioned GeoParquet for the Dask engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def partition(
    layer: Annotated[Path, typer.Argument(help="Layer to partition (any format sxgeo reads).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="New folder for the GeoParquet parts.")],
    npartitions: Annotated[
        int | None, typer.Option(help="Number of parts (default one per 200,000 features).")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of a layer that carries none.")] = None,
) -> None:
    """Partition a big layer by Hilbert distance into GeoParquet parts (EPSG:4549) for --engine dask."""
    from sxgeo.engine.partition import partition_layer

    folder = partition_layer(layer, out, npartitions=npartitions, crs=crs)
    parts = sorted(folder.glob("*.parquet"))
    typer.echo(f"{len(parts)} parts: {folder}")
