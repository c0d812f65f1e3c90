"""Criteria YAML and project TOML files as Windows editors save them: encodings, a BOM, tabs.

Notepad and WPS save a UTF-8 BOM or GBK; YAML forbids tabs in indentation (YAML 1.2 §6.1) and
a pasted block often carries them. Text is read as UTF-8 (BOM dropped) or GB18030 (said at
INFO); a file that is neither, or YAML indented with tabs, is refused with its line and the fix.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import yaml

from sxgeo.errors import SchemaError

log = logging.getLogger(__name__)


def read_text(path: Path, *, error: type[Exception] = SchemaError) -> str:
    """The text of a settings file: UTF-8 with or without BOM, else GB18030 (GBK), else refused.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    error : type
        Exception class raised.

    Returns
    -------
    str
        Without the BOM.
    """
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        log.info("%s: UTF-8 with a byte-order mark; the mark is ignored", path.name)
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_line = raw[: exc.start].count(b"\n") + 1
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        msg = f"{path.name}: line {utf8_line} is neither UTF-8 nor GBK text; save the file as UTF-8"
        raise error(msg) from None
    log.info("%s: read as GBK/GB18030 text (not UTF-8); saving it as UTF-8 is safer", path.name)
    return text


def safe_load_fast(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed by libyaml when PyYAML has it (about 10x faster).

    The plan registry took 60 ms of every command's start-up in pure Python. The same constructor and
    resolver build the document, so the result is ``safe_load``'s; a document libyaml refuses is parsed
    again by ``safe_load``, so errors (and anything only it accepts) are as before.

    Parameters
    ----------
    text : str
        The YAML.

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    yaml.YAMLError
        ``safe_load``'s error.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def load_yaml(text: str, where: str, *, error: type[Exception] = SchemaError) -> Any:
    """Parse YAML text, refusing tab indentation and syntax errors with the line and the fix.

    Parameters
    ----------
    text : str
        The YAML.
    where : str
        File name for messages.
    error : type
        Exception class raised.

    Returns
    -------
    Any
        The parsed document.
    """
    try:
        return safe_load_fast(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        lines = text.splitlines()
        tab_line = next(
            (i + 1 for i, s in enumerate(lines) if s[: len(s) - len(s.lstrip())].count("\t")), None
        )
        if tab_line is not None and (line is None or tab_line <= line):
            msg = (
                f"{where}: line {tab_line} is indented with a tab; YAML needs spaces: "
                "replace the tabs with spaces"
            )
        else:
            first = str(exc).splitlines()[0]
            msg = (
                f"{where}: not valid YAML"
                + (f" at line {line}" if line else "")
                + f" ({first}); fix that line"
            )
        raise error(msg) from None


def load_toml(path: Path, *, error: type[Exception] = SchemaError) -> dict[str, Any]:
    """Parse a TOML file read by :func:`read_text` (GBK, a BOM accepted); errors name the line.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    error : type
        Exception class raised.

    Returns
    -------
    dict
    """
    text = read_text(path, error=error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path.name}: not valid TOML ({exc}); fix that line (strings in quotes, key = value)"
        raise error(msg) from exc
