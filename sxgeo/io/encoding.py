"""Which text encoding attribute bytes are in: DBF sampling, ``.cpg`` files, CSV text.

Chinese desktop GIS writes Shapefiles without ``.cpg`` whose attributes are GBK/GB18030, and
CSVs in GBK or UTF-8 with a BOM; the encoding is detected from the bytes themselves.
"""

from __future__ import annotations

import codecs
import logging
import struct
from pathlib import Path

from charset_normalizer import from_bytes

from sxgeo.errors import LayerError
from sxgeo.io.report import LayerReport

log = logging.getLogger(__name__)


def _dbf_text_sample(dbf: Path, *, max_records: int | None = None) -> bytes:
    """Field-name bytes and character-field bytes of the records of a dBASE file (all by default)."""
    names, records = _dbf_text_records(dbf, max_records=max_records)
    return b"\n".join([*names, *(b"\n".join(r) for r in records)])


def _dbf_text_records(dbf: Path, *, max_records: int | None = None) -> tuple[list[bytes], list[list[bytes]]]:
    """Field-name bytes, and the character-field bytes of each record, of a dBASE file."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return [], []
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
        n = n_records if max_records is None else min(n_records, max_records)
        data = fh.read(record_len * n)
    records = []
    for r in range(len(data) // max(record_len, 1)):
        rec = data[r * record_len : (r + 1) * record_len]
        records.append([rec[o : o + ln].strip(b" \x00") for o, ln, text in fields if text])
    return chunks, records


def _mixed_rows(records: list[list[bytes]], encoding: str | None) -> list[int]:
    """Records whose text does not decode as *encoding*, or that are UTF-8 among GB18030 ones.

    A DBF edited by two programs can mix GBK and UTF-8 rows; GB18030 decodes most UTF-8 bytes
    too (as mojibake), so UTF-8-valid non-ASCII rows in a GB18030 file are named as suspect.
    """
    if encoding is None:
        return []
    bad = []
    for i, rec in enumerate(records):
        text = b"".join(rec)
        if text.isascii():
            continue
        try:
            text.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            bad.append(i)
            continue
        if encoding.upper() == "GB18030":
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                continue
            bad.append(i)
    return bad


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

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


_CPG_ALIASES = {"utf8": "UTF-8", "utf-8": "UTF-8", "65001": "UTF-8", "936": "GB18030", "gbk": "GB18030"}


def _shapefile_encoding(path: Path, report: LayerReport) -> str | None:
    """Pick the encoding of a shapefile's DBF (the .cpg unless the bytes contradict it); name mixed rows."""
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    cpg = next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None)
    names, records = _dbf_text_records(dbf) if dbf else ([], [])
    sample = b"\n".join([*names, *(b"\n".join(r) for r in records)])
    chosen = _pick_encoding(path, cpg, sample, report, records)
    mixed = _mixed_rows(records, chosen)
    if mixed:
        rows = ", ".join(str(i) for i in mixed[:10]) + (", ..." if len(mixed) > 10 else "")
        report.warn(
            f"{len(mixed)} rows do not read as {chosen} (rows {rows}): the DBF mixes encodings and "
            "their text may be garbled; re-save the layer as UTF-8"
        )
    return chosen


def _majority(records: list[list[bytes]]) -> str:
    """UTF-8 or GB18030, whichever decodes more of the non-ASCII records (for a mixed DBF)."""
    votes = {"UTF-8": 0, "GB18030": 0}
    for rec in records:
        text = b"".join(rec)
        if text.isascii():
            continue
        for enc in votes:
            try:
                text.decode(enc)
            except UnicodeDecodeError:
                continue
            votes[enc] += 1
            break
    return max(votes, key=lambda k: votes[k])


def _pick_encoding(
    path: Path, cpg: Path | None, sample: bytes, report: LayerReport, records: list[list[bytes]]
) -> str | None:
    detected = detect_encoding(sample)
    if detected not in (None, "UTF-8", "GB18030"):
        detected = _majority(records)  # a mix of UTF-8 and GBK rows: the other rows are named
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


def _first_failure(path: Path, encoding: str) -> int | None:
    """Byte offset where *path* stops decoding as *encoding* (None: it decodes throughout)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return done + exc.start
            done += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return done
    return None


def _text_encoding(path: Path) -> str:
    """The encoding of a CSV: UTF-8 (with or without BOM) or GB18030, checked over the whole file.

    The first megabyte gives the guess; the whole file must then decode with it (text that
    turns non-ASCII after the first megabyte is re-detected), else the line where no encoding
    fits is named.
    """
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    guess = detect_encoding(head)
    # only UTF-8 and GB18030: a single-byte guess (cp1252...) decodes anything, as mojibake
    candidates = ["GB18030", "UTF-8"] if guess == "GB18030" else ["UTF-8", "GB18030"]
    failures = {}
    for enc in candidates:
        where = _first_failure(path, enc)
        if where is None:
            return enc
        failures[enc] = where
    enc, where = max(failures.items(), key=lambda kv: kv[1])
    with path.open("rb") as fh:
        line = fh.read(where).count(b"\n") + 1
    msg = (
        f"{path.name}: line {line} is neither UTF-8 nor GB18030 (the file mixes encodings?); "
        "re-save it as UTF-8"
    )
    raise LayerError(msg)
