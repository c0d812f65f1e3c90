"""Consoles that cannot show every character (a Chinese Windows console is GBK).

sxgeo's messages are UTF-8 text with a few symbols GBK lacks (², ³, ₂, −, ✓). On such a console the
streams are reconfigured so that these print as their plain-text equivalents (``km²`` -> ``km2``) and
anything else unencodable as ``?``, instead of raising ``UnicodeEncodeError`` mid-message.
"""

from __future__ import annotations

import codecs
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

FALLBACK = {
    "²": "2",
    "³": "3",
    "⁴": "4",
    "₂": "2",
    "₄": "4",
    "−": "-",
    "✓": "v",
    "✗": "x",
    "⌀": "diameter ",
}
"""Plain-text stand-ins for symbols that GBK cannot encode."""

ERRORS = "sxgeo-fallback"


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(FALLBACK.get(ch, "?") for ch in text), exc.end


def _register() -> None:
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _fallback)


def can_encode_all(encoding: str | None) -> bool:
    """Whether *encoding* is a Unicode encoding (UTF-8/16/32, GB18030) that encodes every character."""
    if not encoding:
        return False
    name = codecs.lookup(encoding).name
    return name.startswith(("utf-8", "utf-16", "utf-32")) or name == "gb18030"


def prepare_streams() -> None:
    """Make stdout and stderr print every message whatever the console's encoding."""
    _register()
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not can_encode_all(encoding):
            reconfigure(errors=ERRORS)


def print_status(status: Any) -> None:
    """The report's city rows as a short rich table: indicator, city value, target, status.

    The report's modules are imported here, when a status is printed, so that the console
    helpers stay light for every command's start-up.
    """
    from sxgeo.admin import CITY_CODE
    from sxgeo.report.page import fmt

    table = Table(title="规划指标进展 plan progress (绍兴市 city)")
    for col in ("指标 indicator", "数值 value", "目标 target", "状态 status"):
        table.add_column(col, justify="right" if col[0] in "数目" else "left")
    for _, r in status[status["unit_code"] == CITY_CODE].iterrows():
        table.add_row(
            f"{r['name_zh']} ({r['unit']})",
            fmt(r["value"]),
            fmt(r["target"]),
            f"[{r['colour']}]{r['label_zh']}[/] {r['label_en']}",
        )
    Console().print(table)
