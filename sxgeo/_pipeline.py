"""The run context every pipeline receives, and the checks of numeric options.

:meth:`Context.from_project` is the one constructor of a build's context (``sxgeo build`` and
``sxgeo report``); :meth:`Context.from_options` that of a capability command.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sxgeo import __version__
from sxgeo.admin import load_counties, load_zones
from sxgeo.errors import OptionError
from sxgeo.plan import TargetsLike, load_plan_targets

if TYPE_CHECKING:
    import geopandas as gpd

    from sxgeo.project import Project

log = logging.getLogger(__name__)

YEAR_RANGE = (1990, 2100)
"""Years sxgeo accepts for reporting and data years (the plan's horizon with room either side)."""


def check_option(
    name: str,
    value: float | None,
    *,
    above: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
    hint: str = "",
) -> None:
    """Refuse a numeric option outside its range, in one line naming the option.

    Parameters
    ----------
    name : str
        The option as the user writes it (``--years``, ``[carbon] years``).
    value : float or None
        The value; None (not given) passes.
    above : float, optional
        Exclusive lower bound.
    at_least, at_most : float, optional
        Inclusive bounds.
    hint : str
        Added to the message.

    Raises
    ------
    OptionError
        Out of range, or not a finite number.
    """
    if value is None:
        return
    try:
        v = float(value)
    except (TypeError, ValueError):
        msg = f"{name} must be a number, got {value!r}"
        raise OptionError(msg) from None
    bad = (
        not math.isfinite(v)
        or (above is not None and v <= above)
        or (at_least is not None and v < at_least)
        or (at_most is not None and v > at_most)
    )
    if bad:
        parts = []
        if above is not None:
            parts.append(f"> {above:g}")
        if at_least is not None:
            parts.append(f">= {at_least:g}")
        if at_most is not None:
            parts.append(f"<= {at_most:g}")
        msg = f"{name} must be {' and '.join(parts)}, got {v:g}" + (f"; {hint}" if hint else "")
        raise OptionError(msg)


def check_year(name: str, value: float | None) -> None:
    """Refuse a year outside :data:`YEAR_RANGE` (``--year 99999``)."""
    check_option(name, value, at_least=YEAR_RANGE[0], at_most=YEAR_RANGE[1])


def check_share(name: str, value: float | None) -> None:
    """Refuse a share (0-1] given as a percentage, saying which was meant (75 -> 0.75)."""
    if value is not None and 1 < float(value) <= 100:
        hint = f"it is a share: for {float(value):g}% write {float(value) / 100:g}"
    else:
        hint = "it is a share between 0 and 1 (0.75 = 75%)"
    check_option(name, value, above=0, at_most=1, hint=hint)


@dataclass
class Context:
    """What a pipeline needs besides its own inputs.

    Attributes
    ----------
    units : geopandas.GeoDataFrame
        The county layer (:func:`sxgeo.admin.load_counties`).
    zones : geopandas.GeoDataFrame or None
        Reporting zones (:func:`sxgeo.admin.load_zones`): per-zone tables beside the county ones.
    year : int or None
        Reporting year.
    targets : sxgeo.plan.Targets, pandas.DataFrame or None
        The plan's targets with the project's override merged in (:func:`sxgeo.plan.load_plan_targets`);
        None: the shipped plan's. Tables, maps and the report all read targets from here.
    maps : bool
        Make maps (only when they will be written: a folder output or ``--map``).
    lang, basemap : str
        Map language and basemap.
    crs : str or None
        CRS of inputs that carry none (the CLI's ``--crs``), unless an input names its own.
    notes : list of str
        Provenance lines added to every output.
    params : dict
        Settings used and where each came from (``{"sponge.alpha_target": {"value", "source"}}``).
    inputs_read : dict
        Path -> ``{"rows", "crs"}`` of every vector input as read (for ``run.json``).
    shared : dict
        Results one step computed that a later step of the same run reuses, keyed by the inputs'
        :func:`input_key` and the settings: the pilot step takes the PV step's per-roof results
        from here instead of running the PV model again.
    """

    units: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame | None = None
    year: int | None = None
    targets: TargetsLike = None
    maps: bool = True
    lang: str = "zh"
    basemap: str | None = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs_read: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_year("year (--year, [project] year)", self.year)

    @classmethod
    def from_project(
        cls,
        project: Project | None,
        *,
        layers: str | Path | None = None,
        lang: str | None = None,
        basemap: str | None = None,
        maps: bool = True,
        plan: str | Path | None = None,
    ) -> Context:
        """The run context of a project: its counties (or the shipped ones), zones, targets, year.

        Parameters
        ----------
        project : Project or None
            The project (None: shipped layers and defaults).
        layers : str or pathlib.Path, optional
            Folder of the shipped layers (when the project names no county layer).
        lang, basemap : str, optional
            Options; they win over the project's.
        maps : bool
            Make maps.
        plan : str or pathlib.Path, optional
            Plan registry; wins over the project's ``[project] plan`` (``sxgeo report --plan``).

        Returns
        -------
        Context
            Its ``targets`` is the plan with the project's ``[project] targets`` merged in.
        """

        def opts(key: str) -> dict[str, Any]:
            spec = project.get("layers", key) if project is not None else None
            return {} if spec is None else {"path": spec.path, **spec.options}

        county = opts("counties")
        units = load_counties(county.pop("path", None) or layers, **county)
        zone = opts("zones")
        zones = load_zones(zone.pop("path"), units, **zone) if zone else None
        targets_in = project.get("project", "targets") if project is not None else None
        plan_in = project.get("project", "plan") if project is not None else None
        plan_path = plan if plan is not None else plan_in.path if plan_in is not None else None
        named = (
            [f"project: {project.name} ({project.path.name})"] if project is not None and project.path else []
        )
        return cls(
            units=units,
            zones=zones,
            year=project.year if project is not None else None,
            targets=load_plan_targets(targets_in.path if targets_in is not None else None, plan=plan_path),
            maps=maps,
            lang=lang or (project.get("project", "lang", "zh") if project is not None else "zh"),
            basemap=basemap or (project.get("project", "basemap") if project is not None else None),
            notes=[f"made by sxgeo {__version__}", *named],
        )

    @classmethod
    def from_options(
        cls,
        *,
        counties: str | Path | None = None,
        zones: str | Path | None = None,
        zone_code: str | None = None,
        year: int | None = None,
        crs: str | None = None,
        lang: str = "zh",
        basemap: str | None = None,
        maps: bool = True,
    ) -> Context:
        """The run context of a capability command from its options (shipped plan's targets).

        Parameters
        ----------
        counties, zones : str or pathlib.Path, optional
            County layer (default the shipped one) and reporting zones.
        zone_code : str, optional
            Code column of *zones*.
        year : int, optional
            Reporting year.
        crs : str, optional
            CRS of inputs that carry none.
        lang, basemap : str
            Map language and basemap.
        maps : bool
            Make maps.

        Returns
        -------
        Context
        """
        units = load_counties(counties)
        return cls(
            units=units,
            zones=load_zones(zones, units, code_col=zone_code, crs=crs) if zones is not None else None,
            year=year,
            targets=load_plan_targets(),
            maps=maps,
            lang=lang,
            basemap=basemap,
            crs=crs,
        )
