"""The report page as an A4 PDF, without a browser (WeasyPrint, the ``report`` extra).

WeasyPrint needs Debian's pango (``libpango-1.0-0 libpangoft2-1.0-0``) and a CJK font
(``fonts-noto-cjk``); every ``font-family`` of the page ends in CJK fallbacks
(:data:`sxgeo.report.page.FONTS`), see anchors.md §3.2 (WeasyPrint#2880).
"""

from __future__ import annotations

import logging
from pathlib import Path

from sxgeo.errors import SxgeoError
from sxgeo.io.writers import atomic_path

log = logging.getLogger(__name__)


def pdf_available() -> bool:
    """Whether WeasyPrint and its system libraries load."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def write_pdf(html: str, path: str | Path) -> Path:
    """Render the report page to *path* (A4, page numbers and data date in the footer).

    Parameters
    ----------
    html : str
        The page (:func:`sxgeo.report.page.render_html`).
    path : str or pathlib.Path
        Output PDF; written atomically.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    SxgeoError
        When WeasyPrint or pango is missing (names the fix).
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        msg = (
            f"report.pdf needs WeasyPrint: pip install 'sxgeo[report]' and "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk ({exc})"
        )
        raise SxgeoError(msg) from None
    path = Path(path)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # a temporary name beside it, renamed when done, with the user's normal file mode (not mkstemp's 0600)
    with atomic_path(path) as tmp:
        weasyprint.HTML(string=html, base_url=str(path.parent)).write_pdf(tmp)
    return path
