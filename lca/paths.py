"""Where the shipped inventories/ and scenarios/ live (installed wheel or source checkout)."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


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
