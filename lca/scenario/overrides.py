"""``--set`` overrides and extra factor files: what a user changes about a scenario without editing it."""

from __future__ import annotations

import copy
from pathlib import Path

from lca.errors import InputError, unknown_id
from lca.inventory.distributions import is_distribution_spec
from lca.inventory.files import excerpt, load_yaml, load_yaml_text, scenarios_dir
from lca.inventory.user_factors import base_dir
from lca.scenario.schema import TOP_KEYS


def resolve_scenario_path(name) -> Path:
    """A path, or the name of a shipped scenario (``gpt4-a100``)."""
    p = Path(name)
    if p.exists():
        return p
    shipped = scenarios_dir() / (p.name if p.suffix else f"{p.name}.yaml")
    if shipped.exists():
        return shipped
    known = sorted(x.stem for x in scenarios_dir().glob("*.yaml"))
    raise unknown_id("scenario (file not found, nor a shipped scenario)", str(name), known)


#: Longest ``--set`` item accepted (characters); values are parsed with the file limits
MAX_SET_CHARS = 10_000


def parse_set(items) -> list[tuple[str, object]]:
    """``["workload.mfu=0.5", 'operation.grid.gwp="0.057 kg CO2 eq/kWh"']`` -> [(path, value)].

    A value is YAML, read with the limits of scenario files (:func:`lca.inventory.files.load_yaml_text`:
    depth, values after alias expansion); text that is not valid YAML is taken as a string. An
    item longer than :data:`MAX_SET_CHARS` characters is refused."""
    out = []
    for item in items or []:
        if not isinstance(item, str):
            raise InputError(f"set: expected PATH=VALUE strings, got {type(item).__name__}")
        if len(item) > MAX_SET_CHARS:
            raise InputError(f"set {excerpt(item)}: {len(item)} characters; a --set item may have at most "
                             f"{MAX_SET_CHARS}")
        if "=" not in item:
            raise InputError(f"set {excerpt(item, 80)}: expected PATH=VALUE, e.g. workload.mfu=0.5")
        key, _, text = item.partition("=")
        key = key.strip()
        if not key or any(not part for part in key.split(".")):
            raise InputError(f"set {excerpt(item, 80)}: bad parameter path {excerpt(key, 80)}")
        val = _set_value(text, f"set {excerpt(key, 80)}")
        if val is None:
            raise InputError(f"set {excerpt(item, 80)}: missing value after '='")
        out.append((key, val))
    return out


def _set_value(text: str, where: str):
    if not text.strip():
        return None
    try:
        return load_yaml_text(text, where)
    except InputError as exc:
        if "not valid YAML" in str(exc):
            return text  # not YAML: the text itself (as before)
        raise


class Overridden(dict):
    """A scenario mapping with ``--set`` overrides applied, plus the card overrides
    (``accelerator.bom.*``, ``accelerator.specs.*``) that apply to the chosen card, not to the file."""

    accelerator_overrides: list


#: Parts of an accelerator card that ``--set accelerator.<part>.<key>`` may change
CARD_PARTS = ("bom", "specs")


def apply_overrides(raw: dict, overrides) -> Overridden:
    """Return a copy of the scenario mapping with ``--set`` overrides applied.

    ``accelerator.bom.<key>`` and ``accelerator.specs.<key>`` are not written into the file's
    ``accelerator`` (an id or a card file): they are collected in ``accelerator_overrides`` as
    ``(key, value)`` pairs, which :func:`lca.scenario.build_scenario` applies to the card."""
    card: list = list(getattr(raw, "accelerator_overrides", []))
    out = Overridden(copy.deepcopy(dict(raw)))
    raw = out
    for key, val in overrides:
        parts = key.split(".")
        if parts[0] not in TOP_KEYS:
            raise InputError(f"set {key}: unknown section {parts[0]!r}; known: {', '.join(sorted(TOP_KEYS))}")
        if parts[0] == "accelerator" and len(parts) > 1:
            if len(parts) != 3 or parts[1] not in CARD_PARTS:
                raise InputError(f"set {key}: expected accelerator=ID (or a card file), accelerator.bom.KEY or "
                                 f"accelerator.specs.KEY")
            card.append((key, val))
            continue
        node: dict = raw
        for i, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if parts[: i + 1] == ["operation", "grid"] and isinstance(nxt, str):
                nxt = {"base": nxt}  # inline factor on top of a named grid
            if nxt is None:
                nxt = {}
            if not isinstance(nxt, dict) or is_distribution_spec(nxt):
                nxt = {} if not isinstance(nxt, dict) else nxt
                if is_distribution_spec(nxt):
                    raise InputError(f"set {key}: {'.'.join(parts[:i + 1])} is a value, not a section")
            node[part] = nxt
            node = nxt
        node[parts[-1]] = val
    out.accelerator_overrides = card
    return out



def factor_overrides(scenario, set_items, files) -> list:
    """``--set`` items plus extra factor files -> overrides for :func:`lca.scenario.load_scenario`.

    The extra files (relative to the current directory) are appended to the scenario's own
    ``factors:`` list (relative to the scenario file), so they win over it.
    """
    pairs = parse_set(set_items) if set_items and isinstance(next(iter(set_items)), str) else list(set_items or [])
    if not files:
        return pairs
    path = resolve_scenario_path(scenario)
    own = None
    for k, v in pairs:
        if k == "factors":
            own = v
    if own is None:
        raw = load_yaml(path)
        own = raw.get("factors") or []
    if isinstance(own, str):
        own = [own]
    if not isinstance(own, list) or not all(isinstance(x, str) for x in own):
        raise InputError(f"{path}: factors: expected a list of CSV file paths")
    base = base_dir(path)
    merged = [str(p if Path(p).is_absolute() else (base / p)) for p in own]
    for f in files:
        from lca.inventory.user_factors import check_factor_path

        p = check_factor_path(Path(f).expanduser(), f"factors: extra factor file {f}")
        merged.append(str(p.resolve()))
    return [(k, v) for k, v in pairs if k != "factors"] + [("factors", merged)]
