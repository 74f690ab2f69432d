import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def inv():
    from lca.inventory import load_inventory

    return load_inventory()


@pytest.fixture(scope="session")
def ds():
    """The shipped GPT-4 scenario's deterministic result (chart tests; read it, don't modify it)."""
    from lca.model import run

    return run("scenarios/gpt4-a100.yaml")


@pytest.fixture(scope="session")
def mc():
    """64 Monte Carlo draws (seed 1) of the shipped GPT-4 scenario (chart tests; read-only)."""
    from lca.model import run

    return run("scenarios/gpt4-a100.yaml", samples=64, seed=1)
