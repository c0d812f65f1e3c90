"""A build read as a planner reads it: no English status word or raw id on a Chinese page, sheet or PDF page,
and the report's files written with the user's normal file mode.

One tiny build (``tests/datasets/tiny``, every capability, with the PDF) is scanned: every HTML page (the
report without its English ``.en`` spans; the maps' legends and tooltip values), the ``中文`` sheet of every
XLSX (outside the English columns: ``*_en`` and headers marked 英文) and the PDF's text (``pdftotext``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from sxgeo import build
from sxgeo.labels import PILOT_CRITERIA, is_english_column
from sxgeo.project import load_project
from sxgeo.report.pdf import pdf_available

TINY = Path(__file__).parents[1] / "datasets" / "tiny"
FORBIDDEN = re.compile(
    r"\b(behind|met|no data|no_data|no_target|lagging|on_track|lake_reservoir|river_canal|tidal_marsh|mudflat"
    r"|True|False|robust|weight-dependent|unlikely|existing pilot|selected|not selected|nan|NaN)\b"
)
"""English status words and raw ids that must not reach a Chinese page."""
RAW_CELLS = {
    *PILOT_CRITERIA,
    "benefit",
    "cost",
    "town",
    "street",
    "pass",
    "fail",
    "on schedule",
    "on_schedule",
}
"""Raw ids that must not be a whole cell or tooltip value on a Chinese page (criterion ids, kinds)."""


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny_zh") / "out"
    old = os.umask(0o022)
    try:
        build.run(load_project(TINY / "sxgeo.toml"), out, pdf=pdf_available())
    finally:
        os.umask(old)
    return out


class _Visible(HTMLParser):
    """The text of a page outside <style>, <script>, <title> and elements of class ``en``."""

    VOID = frozenset({"br", "img", "meta", "link", "input", "hr", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in ("style", "script", "title") or "en" in (dict(attrs).get("class") or "").split()
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def map_spec(html: str) -> dict:
    found = re.search(r"sxgeo\.render\(\w+, (\{.*\})\);", html, flags=re.S)
    assert found, "no page spec"
    return json.loads(found.group(1))


def test_report_page_has_no_english_status_words(pdf_build):
    text = visible_text((pdf_build / "report" / "index.html").read_text(encoding="utf-8"))
    assert "县区一览" in text
    assert FORBIDDEN.findall(text) == []


def test_maps_legends_and_tooltips_are_chinese(pdf_build):
    pages = sorted(pdf_build.glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        spec = map_spec(page.read_text(encoding="utf-8"))
        if spec["lang"] != "zh":
            continue
        for layer in spec["layers"]:
            legend = layer.get("legend") or {}
            for item in legend.get("items", []):
                assert not FORBIDDEN.search(str(item.get("label", ""))), (page.name, layer["name"], item)
            for field in layer.get("tooltip", []):
                for f in layer["data"]["features"] if layer["kind"] == "vector" else []:
                    v = f["properties"].get(field["name"])
                    if v is None:  # JSON null: the tooltip shows "–" (sxgeo.js fmt)
                        continue
                    assert not isinstance(v, bool), (page.name, field["name"])
                    assert not FORBIDDEN.search(str(v)), (page.name, layer["name"], field["name"], v)
                    assert str(v) not in RAW_CELLS, (page.name, layer["name"], field["name"], v)


def test_xlsx_chinese_sheets_have_no_raw_values(pdf_build):
    books = sorted(pdf_build.rglob("*.xlsx"))
    assert len(books) >= 5
    for book in books:
        for name, sheet in pd.read_excel(book, sheet_name=None).items():
            # the English summary (summary_en) is an English table by design
            if not name.endswith("中文") or name.split(" ")[0].endswith("_en"):
                continue
            for col in sheet.columns:
                if is_english_column(str(col)) or "英文" in str(col) or col in ("数据说明", "data_note"):
                    continue
                bad = [v for v in sheet[col].dropna().astype(str) if FORBIDDEN.search(v) or v in RAW_CELLS]
                assert bad == [], (book.name, name, col, bad[:3])
            assert not any(str(c).endswith(".1") for c in sheet.columns), (
                book.name,
                name,
            )  # two same headers


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_pdf_text_has_no_english_status_words(pdf_build):
    pdf = pdf_build / "report" / next(p.name for p in (pdf_build / "report").glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    first = text.stdout.split("\f")[0]
    assert "县区一览" in first  # the dashboard is the first page, whole
    parks = pd.read_csv(next(pdf_build.glob("*pv_parks.csv"))).sort_values("capacity_mwp", ascending=False)
    assert all(name in first for name in parks["name"].head(5))
    assert FORBIDDEN.findall(text.stdout) == []


def test_report_files_have_the_users_file_mode(pdf_build):
    files = [pdf_build / "indicator_history.csv", *sorted((pdf_build / "report").iterdir())]
    assert any(f.suffix == ".html" for f in files)
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f.name
