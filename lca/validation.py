"""``lca validate PATH...``: check inventory folders and files and scenario files."""

from __future__ import annotations

from pathlib import Path

from lca.errors import InputError
from lca.inventory import (
    load_accelerator,
    load_carbon_only,
    load_constants,
    load_factor_set,
    load_grid,
    load_hosts,
    load_inventory,
    load_sources,
    load_transport,
    load_yield_models,
)
from lca.inventory.distributions import load_pedigree
from lca.inventory.files import load_yaml
from lca.inventory.method import load_method


def _inventory_root(path: Path) -> Path | None:
    for parent in [path, *path.parents]:
        if (parent / "sources.yaml").is_file() and (parent / "methods").is_dir():
            return parent
    return None


def validate_file(path: Path) -> None:
    root = _inventory_root(path.parent)
    sources = load_sources(root / "sources.yaml") if root else load_inventory().sources
    kind = path.parent.name
    if path.suffix == ".csv":
        if path.name == "carbon_only.csv":
            load_carbon_only(path, sources)
            return
        from lca.inventory.user_factors import read_factor_csv

        read_factor_csv(path, sources)
        return
    if path.name == "sources.yaml":
        load_sources(path)
    elif path.name == "yield_models.yaml":
        load_yield_models(path, sources)
    elif path.name == "transport.yaml":
        load_transport(path, sources)
    elif path.name == "hosts.yaml":
        load_hosts(path, sources)
    elif path.name == "constants.yaml":
        load_constants(path, sources)
    elif kind == "methods" and path.name == "pedigree.yaml":
        load_pedigree(path)
    elif kind == "methods":
        load_method(path)  # the file given, not the shipped one
    elif kind == "accelerators":
        load_accelerator(path, sources)
    elif kind == "factors":
        load_factor_set(path, sources)
    elif kind == "grids":
        load_grid(path, sources)
    else:
        data = load_yaml(path)
        if "workload" in data or "accelerator" in data:
            from lca.model import prepare

            prepare(str(path))
        elif "bom" in data:
            load_accelerator(path, sources)
        elif "factors" in data and isinstance(data["factors"], dict) and all(
                isinstance(v, dict) and "per" in v for v in data["factors"].values()):
            load_factor_set(path, sources)
        elif "factors" in data:
            load_grid(path, sources)
        else:
            raise InputError(f"{path}: not a scenario or inventory file (expected keys such as workload, bom or factors)")


def validate_paths(paths) -> int:
    """Validate every path (folders recursively); return the number of files checked."""
    count = 0
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: file or folder not found")
        if p.is_dir():
            if (p / "sources.yaml").is_file() and (p / "methods").is_dir():
                inv = load_inventory(p, cache=False)
                count += len(inv.manifest)
                continue
            files = sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")])
            for f in files:
                validate_file(f)
            count += len(files)
        else:
            validate_file(p)
            count += 1
    return count
