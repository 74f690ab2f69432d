"""Physics: Scenario + Inventory -> impacts Dataset (stages, allocation, result contract)."""

from lca.model.compose import (  # noqa: F401
    STAGES,
    TRANSPORT_FACTORS,
    Model,
    prepare,
    quantities,
    per_card,
    compute,
    evaluate,
    coverage_of,
    proxy_status,
    to_dataset,
    run,
)
