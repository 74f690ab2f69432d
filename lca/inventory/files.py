"""Safe YAML reading: one clear error for every way a file can be malformed."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import yaml

from lca.errors import InputError

MAX_BYTES = 5_000_000   # inventory and scenario files are small; refuse anything huge
MAX_DEPTH = 20
MAX_NODES = 100_000     # values after alias expansion (a "billion laughs" document is refused)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML would silently keep the last one)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise InputError(f"line {key_node.start_mark.line + 1}: a mapping key must be a plain value") from None
        if key in seen:
            raise InputError(
                f"line {key_node.start_mark.line + 1}: duplicate key {excerpt(key)} "
                f"(first at line {seen[key] + 1}); each key may appear once")
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# libyaml's parser when PyYAML has it (5-10x faster on the shipped inventory); the same safe
# constructor, duplicate-key check and limits
_FastLoader: type = _UniqueKeyLoader
if getattr(yaml, "__with_libyaml__", False):
    class _UniqueKeyCLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        """CSafeLoader that refuses duplicate keys."""

    _UniqueKeyCLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader = _UniqueKeyCLoader


class _TooDeep(Exception):
    pass


def _expanded_size(node, memo, level=0) -> int:
    """Number of values once aliases are expanded, counting each shared object once per use
    (memoised by identity, so an alias bomb is measured without being walked)."""
    if not isinstance(node, (dict, list)):
        return 1
    if level > MAX_DEPTH:
        raise _TooDeep
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_NODES + 1  # a self-referencing (recursive) alias counts as too big
    children = node.values() if isinstance(node, dict) else node
    total = 1
    for child in children:
        total += _expanded_size(child, memo, level + 1)
        if total > MAX_NODES:
            break
    memo[key] = total
    return total


#: Folders whose files are not data (their sizes are not real, reading them may leak or never end)
_SPECIAL_ROOTS = ("/proc", "/sys")


def excerpt(text, limit: int = 40) -> str:
    """A short, printable quotation of file text for a message (never the whole of a long value)."""
    text = str(text)
    short = text[:limit]
    safe = "".join(c if c.isprintable() else "?" for c in short)
    return repr(safe + ("..." if len(text) > limit else ""))


def _under_special(path: Path) -> bool:
    s = str(path)
    return any(s == root or s.startswith(root + "/") for root in _SPECIAL_ROOTS)


def read_bytes(path, *, what: str, max_bytes: int = MAX_BYTES, prefix: str | None = None) -> bytes:
    """The bytes of a small regular file; one :class:`InputError` for every failure.

    Only regular files are read (after following symlinks): a directory, a FIFO, a device such as
    /dev/zero or a file under /proc or /sys is refused before it is opened. The size is checked
    from ``stat`` before reading, and at most ``max_bytes + 1`` bytes are read (a file growing
    meanwhile). ``what`` and ``prefix`` as for :func:`read_text`."""
    path = Path(path)
    pre = prefix or str(path)
    try:
        real = Path(os.path.realpath(path))
        st = os.stat(real)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{pre}: is a directory, expected {what}")
        if _under_special(real) or not stat.S_ISREG(st.st_mode):
            raise InputError(f"{pre}: not a regular file (a device, pipe or system file); expected {what}")
        if st.st_size > max_bytes:  # refuse a huge file before reading it
            raise InputError(f"{pre}: file is {st.st_size} bytes; expected {what} under {max_bytes} bytes")
        with open(real, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced between stat and open
                raise InputError(f"{pre}: not a regular file; expected {what}")
            raw = f.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise InputError(f"{pre}: file is over {max_bytes} bytes; expected {what} under {max_bytes} bytes")
    except FileNotFoundError:
        raise InputError(f"{pre}: file not found") from None
    except OSError as exc:
        raise InputError(f"{pre}: cannot read ({exc.strerror})") from None
    return raw


def read_text(path, *, what: str, max_bytes: int = MAX_BYTES, prefix: str | None = None,
              empty_hint: str = "") -> tuple[str, bytes]:
    """Read a small UTF-8 text file (BOM tolerated); one :class:`InputError` for every failure.

    Only regular files are read (after following symlinks): a FIFO, a device such as /dev/zero or
    a file under /proc or /sys is refused before it is opened. The size is checked from ``stat``
    before reading, and at most ``max_bytes + 1`` bytes are read (a file growing meanwhile).
    Messages never quote the file's content.

    ``what`` names the expected file ("a CodeCarbon emissions.csv"); ``prefix`` replaces the path at
    the start of messages (e.g. "scenario.yaml: workload.measured_energy: emissions.csv")."""
    pre = prefix or str(path)
    raw = read_bytes(path, what=what, max_bytes=max_bytes, prefix=prefix)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{pre}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    if not text.strip():
        raise InputError(f"{pre}: file is empty{'; ' + empty_hint if empty_hint else ''}")
    return text, raw


def _depth(node, level=0):
    if level > MAX_DEPTH:
        return level
    if isinstance(node, dict):
        return max([_depth(v, level + 1) for v in node.values()] or [level])
    if isinstance(node, list):
        return max([_depth(v, level + 1) for v in node] or [level])
    return level


def _check_finite(node, where):
    if isinstance(node, float) and not math.isfinite(node):
        raise InputError(f"{where}: must be a finite number, got {node}")
    if isinstance(node, dict):
        for k, v in node.items():
            _check_finite(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_finite(v, f"{where}[{i}]")


def load_yaml(path, *, expect_mapping: bool = True):
    """Read a YAML file; raise :class:`InputError` naming the file for any problem."""
    path = Path(path)
    text, _ = read_text(path, what="an inventory or scenario YAML file")
    data = load_yaml_text(text, str(path))
    if data is None:
        raise InputError(f"{path}: file is empty (no YAML content, only comments or blank lines)")
    if expect_mapping and not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of keys at the top level, got {type(data).__name__}")
    return data


def load_yaml_text(text: str, where: str):
    """Parse YAML text with the limits of :func:`load_yaml` (depth, values after alias expansion,
    unique keys, finite numbers); ``where`` starts every message. ``None`` for an empty document.
    Messages give line numbers and the parser's problem, never the text itself."""
    try:
        data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - SafeLoader subclass
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        if "nesting depth" in str(problem):  # libyaml's own limit (the Python parser recurses instead)
            raise InputError(f"{where}: YAML nested too deeply") from None
        raise InputError(f"{where}: not valid YAML{line}: {_short(problem)}") from None
    except RecursionError:
        raise InputError(f"{where}: YAML nested too deeply") from None
    if data is None:
        return None
    try:
        nodes = _expanded_size(data, {})
    except _TooDeep:
        raise InputError(f"{where}: YAML nested deeper than {MAX_DEPTH} levels") from None
    except RecursionError:
        raise InputError(f"{where}: YAML nested too deeply") from None
    if nodes > MAX_NODES:
        raise InputError(f"{where}: YAML expands to more than {MAX_NODES} values (through aliases such as *a); "
                         "refusing it")
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"{where}: YAML nested deeper than {MAX_DEPTH} levels")
    try:
        _check_finite(data, "")
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return data


def _short(problem: str, limit: int = 80) -> str:
    """The parser's problem, one line, short (it may quote a token of the file)."""
    one = " ".join(str(problem).split())
    return one if len(one) <= limit else one[:limit] + "..."


# -- where the shipped data live ---------------------------------------------------------------

_PKG = Path(__file__).resolve().parent.parent  # the lca package folder


def _root() -> Path:
    installed = _PKG / "_data"
    if (installed / "inventories").is_dir():
        return installed
    return _PKG.parent  # source checkout / editable install


def inventories_dir() -> Path:
    """The shipped inventories/ folder."""
    return _root() / "inventories"


def scenarios_dir() -> Path:
    """The shipped scenarios/ folder."""
    return _root() / "scenarios"
