"""Which text encoding attribute bytes are in: DBF sampling, ``.cpg`` files, CSV text.

Chinese desktop GIS writes Shapefiles without ``.cpg`` whose attributes are GBK/GB18030, and
CSVs in GBK or UTF-8 with a BOM; the encoding is detected from the bytes themselves.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

from sxgeo.io.report import LayerReport

log = logging.getLogger(__name__)


def _dbf_text_sample(dbf: Path, *, max_records: int = 5000) -> bytes:
    """Field-name bytes and character-field bytes of the first records of a dBASE file."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return b""
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        descriptors = fh.read(max(header_len - 32, 0))
        chunks: list[bytes] = []
        fields: list[tuple[int, int, bool]] = []  # offset, length, is_text
        offset = 1  # deletion flag
        for i in range(0, len(descriptors) - 31, 32):
            desc = descriptors[i : i + 32]
            if desc[0] == 0x0D:
                break
            chunks.append(desc[:11].split(b"\x00", 1)[0])
            ftype, flen = chr(desc[11]), desc[16]
            fields.append((offset, flen, ftype in "CM"))
            offset += flen
        fh.seek(header_len)
        n = min(n_records, max_records)
        data = fh.read(record_len * n)
    for r in range(len(data) // max(record_len, 1)):
        rec = data[r * record_len : (r + 1) * record_len]
        chunks.extend(rec[o : o + ln].strip(b" \x00") for o, ln, text in fields if text)
    return b"\n".join(chunks)


def detect_encoding(sample: bytes) -> str | None:
    """Guess the text encoding of attribute bytes from a Chinese desktop-GIS export.

    Pure ASCII gives ``None`` (any encoding reads it). Valid UTF-8 gives ``"UTF-8"``: GBK text
    is almost never valid UTF-8. Otherwise GB18030 (a superset of GBK and GB2312) is tried,
    then charset-normalizer's best guess.

    Parameters
    ----------
    sample : bytes
        Attribute bytes (field names and text values).

    Returns
    -------
    str or None
        An encoding name Python and GDAL both understand, or ``None`` for pure ASCII.
    """
    if not sample or sample.isascii():
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "UTF-8"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        return "GB18030"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


_CPG_ALIASES = {"utf8": "UTF-8", "utf-8": "UTF-8", "65001": "UTF-8", "936": "GB18030", "gbk": "GB18030"}


def _shapefile_encoding(path: Path, report: LayerReport) -> str | None:
    """Pick the encoding of a shapefile's DBF: the .cpg unless the bytes contradict it."""
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    cpg = next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None)
    sample = _dbf_text_sample(dbf) if dbf else b""
    detected = detect_encoding(sample)
    if cpg is not None:
        declared_raw = cpg.read_text(encoding="ascii", errors="replace").strip()
        declared = _CPG_ALIASES.get(declared_raw.lower(), declared_raw)
        try:
            sample.decode(declared)
        except (LookupError, UnicodeDecodeError):
            report.warn(
                f"{cpg.name} says {declared_raw!r} but the attributes do not decode with it; "
                f"read them as {detected}"
            )
            report.encoding_source = "detected (.cpg contradicted by the data)"
            return detected
        report.encoding_source = ".cpg"
        return declared
    report.encoding_source = "detected (no .cpg)"
    if detected is None:
        return "UTF-8"
    if detected != "UTF-8":
        log.info("%s: no .cpg; attributes detected as %s", path.name, detected)
    return detected


def _text_encoding(path: Path) -> str:
    """Guess the encoding of a CSV: UTF-8 (with or without BOM) or GB18030."""
    raw = path.read_bytes()[:1_000_000]
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return detect_encoding(raw) or "UTF-8"
