"""Physics: Scenario + Inventory -> impacts Dataset (stages, allocation, result contract)."""

from lca.model.compose import (  # noqa: F401
    STAGES,
    TRANSPORT_FACTORS,
    Model,
    compute,
    coverage_of,
    evaluate,
    per_card,
    prepare,
    proxy_status,
    quantities,
    run,
    to_dataset,
)
