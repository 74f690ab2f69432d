"""Option vocabularies shared by the CLI and the modules that implement them (kept import-light so
that ``lca --help`` does not load numpy, xarray or matplotlib)."""

KINDS = ("stages", "components", "absolute", "distribution", "sobol", "sobol-bars", "sobol-heatmap",
         "heatmap", "single-score")
METHODS = ("sobol", "morris", "fast", "delta")
DEFAULT_N = {"sobol": 1024, "morris": 100, "fast": 1024, "delta": 1024}
