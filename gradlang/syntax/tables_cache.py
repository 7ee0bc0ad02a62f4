"""Start-up help for parser.py: `tables.json` loaded once and kept as marshal data.

Decoding the parser tables with `json.loads` and compiling the lexer's one big regular
expression took ≈ 3 ms each of every first parse. This module keeps both in
`__pycache__/tables.TAG.parser` beside the tables: the decoded tables, their LALR states
packed (`lalr.pack_states`: one bytes object a state, unpacked when the parser first enters
it), and the compiled form of each lexer pattern (what `re.compile` hands to `_sre.compile`:
flags, code, groups), which `_sre.compile` turns back into the same `re.Pattern` without
parsing the pattern again.

The cache is never required and never trusted: it is used only when its key matches (this
interpreter's bytecode magic number and exact version, the byte order, `_sre`'s magic, and
the size and modification time of `tables.json`) and its CRC-32 checks out; anything
unreadable or malformed is ignored, and a pattern whose compiled form `_sre` refuses falls
back to `re.compile`. The file is written atomically (a temporary file renamed into place),
only when byte code may be written (not under `PYTHONDONTWRITEBYTECODE`, as for .pyc
files), and silently not at all on a read-only install.
"""

from __future__ import annotations

import _sre
import marshal
import os
import re
import sys
import zlib
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

from gradlang.syntax.lalr import PackedStates, pack_states

_FORMAT = 2  # bump when what is stored changes


def cache_path(tables: Path) -> Path:
    """Where the cache of `tables` lives (under `__pycache__`, tagged like .pyc files)."""
    tag = sys.implementation.cache_tag or "python"
    return tables.parent / "__pycache__" / f"{tables.stem}.{tag}.parser"


def key(tables: Path) -> tuple[Any, ...] | None:
    """What the cache of `tables` must have been made for (None: no tables file)."""
    try:
        st = os.stat(tables)
    except OSError:
        return None
    return (_FORMAT, MAGIC_NUMBER, sys.version, sys.byteorder, _sre.MAGIC, st.st_mtime_ns,
            st.st_size)  # fmt: skip


def compile_patterns(patterns: list[str], compiled: Any = None) -> list[re.Pattern[str]]:
    """`re.compile` of each pattern, from `compiled` (see `pattern_code`) where it fits."""
    out: list[re.Pattern[str]] = []
    for i, pattern in enumerate(patterns):
        regex = None
        try:
            flags, code, groups, groupindex, indexgroup = compiled[i]
            regex = _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
        except Exception:  # no cache, or not this interpreter's: compile it
            pass
        if regex is None or regex.pattern != pattern:
            regex = re.compile(pattern)
        out.append(regex)
    return out


def pattern_code(pattern: str) -> tuple[Any, ...] | None:
    """What `re.compile(pattern)` passes to `_sre.compile`, or None when it cannot be had
    (or would not give back the same pattern)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, 0)
        code = _compiler._code(parsed, 0)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        args = (int(parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex,
                tuple(indexgroup))  # fmt: skip
        if _sre.compile(pattern, *args) != re.compile(pattern):
            return None
        return args
    except Exception:
        return None


def load(
    tables: Path, expected: tuple[Any, ...] | None
) -> tuple[dict[str, Any], list[re.Pattern[str]]] | None:
    """The tables (their STATES as `lalr.PackedStates`) and compiled lexer patterns from the
    cache, or None when it is missing, stale (made for another key than `expected`,
    `key(tables)`), damaged or unreadable."""
    if expected is None:
        return None
    try:
        with open(cache_path(tables), "rb") as f:
            stored_key, checksum, payload = marshal.loads(f.read())
        if stored_key != expected or zlib.crc32(payload) != checksum:
            return None
        data, symbols, packed, compiled = marshal.loads(payload)
    except Exception:  # missing, truncated, corrupt or of another shape
        return None
    if not (
        isinstance(data, dict)
        and isinstance(compiled, list)
        and isinstance(symbols, list)
        and isinstance(packed, list)
        and all(isinstance(p, bytes) for p in packed)
    ):
        return None
    patterns = data.get("PATTERNS")
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        return None
    data["STATES"] = PackedStates(symbols, packed)
    return data, compile_patterns(patterns, compiled)


def save(tables: Path, data: dict[str, Any], made_for: tuple[Any, ...] | None) -> None:
    """Keep `data` (read from `tables` after `made_for = key(tables)` was taken) and its
    compiled patterns in the cache, unless byte code may not be written; a failure to write
    is silent."""
    if sys.dont_write_bytecode or made_for is None:
        return
    compiled = [pattern_code(p) for p in data.get("PATTERNS", [])]
    try:
        symbols, packed = pack_states(data["STATES"])
        rest = {k: v for k, v in data.items() if k != "STATES"}
        payload = marshal.dumps((rest, symbols, packed, compiled))
        blob = marshal.dumps((made_for, zlib.crc32(payload), payload))
    except (ValueError, KeyError, TypeError, AttributeError):  # not tables: nothing to keep
        return
    path = cache_path(tables)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        os.makedirs(path.parent, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except OSError:  # a read-only install: read the JSON each time
        try:
            os.unlink(tmp)
        except OSError:
            pass
