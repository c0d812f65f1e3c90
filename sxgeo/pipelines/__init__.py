"""One pipeline per capability: named inputs -> tables + map. The CLI and ``sxgeo build`` call these.

Each capability module has a ``run(ctx, inputs, ...)`` that reads its inputs (project inputs,
paths or frames), calls the pure domain functions and returns :class:`sxgeo.outputs.Outputs`
(tables, notes, maps made only when ``ctx.maps``). :data:`STEPS` is the registry ``build``
walks: a step runs when its project-file inputs are named, and is skipped with the reason
otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sxgeo.pipelines.base import Context

if TYPE_CHECKING:
    from sxgeo.outputs import Outputs
    from sxgeo.project import Project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """A capability as ``build`` runs it.

    Attributes
    ----------
    name : str
        Step name (progress bar, messages).
    section : str
        Project-file section of its inputs.
    needs : tuple of tuple of str
        Alternative sets of keys; the step runs when any one set is fully named.
    run : callable
        ``run(ctx, project) -> list[Outputs]``.
    """

    name: str
    section: str
    needs: tuple[tuple[str, ...], ...]
    run: Callable[[Context, Project], list[Outputs]]

    def ready(self, project: Project) -> bool:
        """Whether the project names the inputs of one of the step's key sets."""
        return any(project.has(self.section, *keys) for keys in self.needs)

    def missing(self) -> str:
        """What the project would need, for the 'skipped' line."""
        return " or ".join(", ".join(f"[{self.section}] {k}" for k in keys) for keys in self.needs)


def _inputs(project: Project, section: str) -> dict[str, Any]:
    from sxgeo.project import KEYS

    return {k.name: project.get(section, k.name) for k in KEYS if k.section == section and k.kind == "input"}


def _param(ctx: Context, project: Project, section: str, name: str, default: Any) -> Any:
    """A setting by the precedence rule, recorded with its source in ``ctx.params`` (for run.json)."""
    from sxgeo.project import resolve

    value, source = resolve(None, project, section, name, default)
    ctx.params[f"{section}.{name}"] = {"value": value, "source": source}
    return value


def _overview(ctx: Context, project: Project) -> list[Outputs]:
    from sxgeo.pipelines import overview

    inputs = {
        "built_up": project.get("sponge", "built_up"),
        "towns": project.get("layers", "towns"),
        "villages": project.get("layers", "villages"),
    }
    return overview.run(ctx, inputs)


def _sponge(ctx: Context, project: Project) -> list[Outputs]:
    from sxgeo.pipelines import sponge
    from sxgeo.sponge import DEFAULT_ALPHA_TARGET

    alpha = _param(ctx, project, "sponge", "alpha_target", DEFAULT_ALPHA_TARGET)
    where = ctx.params["sponge.alpha_target"]["source"]
    source = _param(ctx, project, "sponge", "alpha_target_source", None)
    if source is None:
        source = (
            "placeholder 75% (Shaoxing's adopted value not configured)"
            if where == "default"
            else f"set in {where}"
        )
    opts = sponge.ZoneOptions(
        alpha_target=float(alpha),
        alpha_target_source=str(source),
        strict=bool(_param(ctx, project, "sponge", "strict", False)),
        psi=str(_param(ctx, project, "sponge", "psi", "default")),
        baseline_credit=bool(_param(ctx, project, "sponge", "baseline_credit", False)),
        exclude_regulating=_exclude_regulating(ctx, project),
        **_engine(ctx, project),
    )
    return sponge.run(ctx, _inputs(project, "sponge"), options=opts)


def _exclude_regulating(ctx: Context, project: Project) -> bool:
    """Whether regulating storage is left out of the controlled volume (default yes, 技术指南 2014 附录1).

    ``[sponge] include_regulating`` decides; the older ``[sponge] exclude_regulating`` is honoured
    when it is the only one set.
    """
    include = _param(ctx, project, "sponge", "include_regulating", None)
    if include is not None:
        return not bool(include)
    return bool(_param(ctx, project, "sponge", "exclude_regulating", True))


def _engine(ctx: Context, project: Project) -> dict[str, Any]:
    """The ``[engine]`` section as options of the PV, sponge (Tier A) and carbon (land cover) steps."""
    return {
        "engine": str(_param(ctx, project, "engine", "name", "memory")),
        "scheduler": _param(ctx, project, "engine", "scheduler", None),
        "workers": _param(ctx, project, "engine", "workers", None),
    }


def _carbon(ctx: Context, project: Project) -> list[Outputs]:
    from sxgeo.pipelines import carbon

    opts = carbon.CarbonOptions(
        method=str(_param(ctx, project, "carbon", "method", "fang")),
        stands_years=_param(ctx, project, "carbon", "stands_years", None),
        years=_param(ctx, project, "carbon", "years", None),
        **_engine(ctx, project),
    )
    return carbon.run(ctx, _inputs(project, "carbon"), options=opts)


def _pv_options(ctx: Context, project: Project) -> Any:
    from sxgeo.pipelines import pv

    return pv.PVOptions(
        ghi_scenario=str(_param(ctx, project, "pv", "ghi_scenario", "default")),
        shading=bool(_param(ctx, project, "pv", "shading", True)),
        ef_year=int(_param(ctx, project, "pv", "ef_year", 2022)),
        ef_region=str(_param(ctx, project, "pv", "ef_region", "east_china")),
        ef_basis=str(_param(ctx, project, "pv", "ef_basis", "average")),
        **_engine(ctx, project),
    )


def _pv(ctx: Context, project: Project) -> list[Outputs]:
    from sxgeo.pipelines import pv

    opts = _pv_options(ctx, project)
    inputs = _inputs(project, "pv")
    if inputs.get("villages") is None:
        inputs["villages"] = project.get("layers", "villages")
    return pv.run(ctx, inputs, options=opts)


def _pilots(ctx: Context, project: Project) -> list[Outputs]:
    """The plan's 100 villages, 10 towns and 1 county, each with its tables and map."""
    import dataclasses

    from sxgeo.pipelines import pilots

    inputs = _inputs(project, "pilots")
    get = project.get
    # the layers the criteria's measures read, from the sections that name them
    for key, section in (
        ("buildings", "pv"),
        ("landcover", "carbon"),
        ("pools", "carbon"),
        ("built_up", "sponge"),
        ("compliant", "sponge"),
        ("towns", "layers"),
    ):
        if inputs.get(key) is None:
            inputs[key] = get(section, key)
    for key in ("params", "weather", "ghi_raster"):  # what the PV step's roofs depend on too
        inputs[f"pv_{key}"] = get("pv", key)
    pv_opts = _pv_options(ctx, project) if inputs.get("buildings") is not None else None
    bonus = float(get("pilots", "town_bonus", 0.0))
    levels: dict[str, Any] = {}
    out: list[Outputs] = []
    for level, key, layer in (
        ("village", "villages", "villages"),
        ("town", "towns", "towns"),
        ("county", "counties", None),
    ):
        n = int(get("pilots", key, pilots.PLAN_N[level]))
        if n <= 0:
            continue
        source = get("layers", layer) if layer is not None else None
        if layer is not None and source is None:
            log.warning("pilot siting: %s skipped, needs [layers] %s (the candidates)", key, layer)
            continue
        opts = pilots.PilotOptions(
            level=level,
            n=n,
            min_spacing_km=float(get("pilots", "min_spacing_km", 0.0)) if level == "village" else 0.0,
            quota="proportional" if inputs.get("quota") is None else "file",
            fixed_on_top=bool(get("pilots", "fixed_on_top", False)),
            draws=int(get("pilots", "draws", 1000)),
            selection_draws=int(get("pilots", "selection_draws", 200)),
            seed=int(get("pilots", "seed", 20211201)),
            town_bonus=bonus if level == "village" else 0.0,
            pv=pv_opts,
        )
        levels[level] = opts
    if bonus and "village" in levels and "town" in levels:
        # the plan's villages and towns in one programme, villages in selected towns gaining the bonus
        out += pilots.run_joint(
            ctx, {**inputs, "villages": get("layers", "villages")}, villages=levels.pop("village"),
            towns=levels.pop("town"),
        )  # fmt: skip
    elif bonus:
        log.warning("pilot siting: [pilots] town_bonus needs both villages and towns selected; ignored")
    for level, opts in levels.items():
        layer = {"village": "villages", "town": "towns", "county": None}[level]
        source = get("layers", layer) if layer is not None else None
        out += pilots.run_select(
            ctx, {**inputs, layer or "counties": source}, options=dataclasses.replace(opts, town_bonus=0.0)
        )
    return out


STEPS: tuple[Step, ...] = (
    Step("counties", "layers", ((),), _overview),
    Step(
        "sponge city",
        "sponge",
        (("built_up", "compliant"), ("subzones", "landcover", "facilities", "rainfall")),
        _sponge,
    ),
    Step("carbon sinks", "carbon", (("stands",), ("landcover", "pools"), ("wetlands",)), _carbon),
    Step("rooftop PV", "pv", (("buildings",),), _pv),
    Step("pilot siting", "pilots", (("values",), ("criteria",)), _pilots),
)
"""The capabilities ``sxgeo build`` runs, in order (the report comes next)."""

__all__ = ["STEPS", "Context", "Step"]
