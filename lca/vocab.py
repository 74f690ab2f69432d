"""The package's shared vocabulary: stage names, result quantities and their units, chart kinds,
sensitivity methods. Import-light on purpose (``lca --help`` must not load numpy or xarray), and
the one place each of these names is defined."""

KINDS = ("stages", "components", "absolute", "distribution", "sobol", "sobol-bars", "sobol-heatmap",
         "heatmap", "single-score", "compare", "morris")
METHODS = ("sobol", "morris", "fast", "delta")
DEFAULT_N = {"sobol": 1024, "morris": 100, "fast": 1024, "delta": 1024}

#: Life-cycle stages, in the order results show them
STAGES = ("manufacturing", "transport", "use", "end_of_life")

#: Physical quantities a run result carries, with the unit each is stored in
QUANTITY_UNITS = {"accelerator_hours": "hour", "it_energy": "kilowatt_hour", "energy": "kilowatt_hour",
                  "lifetimes_consumed": "dimensionless", "accelerator_count": "dimensionless",
                  "hardware_mass": "kilogram", "hardware_mass_heatsink": "kilogram",
                  "hardware_mass_casing": "kilogram", "hardware_mass_board_and_dies": "kilogram",
                  "onsite_water": "meter ** 3"}

#: The quantities the fast totals kernel returns beside the 16 category totals (sweeps, sensitivity)
KERNEL_QUANTITIES = ("accelerator_hours", "energy", "lifetimes_consumed")

#: Display names of the kernel quantities
QUANTITY_NAMES = {"accelerator_hours": "Accelerator-hours", "energy": "Facility energy",
                  "lifetimes_consumed": "Accelerator lifetimes consumed"}

#: Short unit labels for display
UNIT_LABELS = {"hour": "h", "kilowatt_hour": "kWh", "dimensionless": "-", "kilogram": "kg", "meter ** 3": "m³"}

#: Monte Carlo in memory keeps every component of every category of every sample: about this many
#: bytes per value at the peak (pint, xarray and the output copies; measured: 5.0 GiB for 1e6
#: samples x 16 categories x 9 components, docs/performance.md)
IN_MEMORY_BYTES_PER_VALUE = 40

#: Default memory budget (GiB) of ``lca run --samples``: above it, statistics are streamed
MEMORY_BUDGET_GIB = 1.0

#: ``lca run --samples N`` keeps the samples in memory (exact percentiles) up to this N when the
#: budget allows, and streams above it (percentiles then within one histogram bin)
STREAM_ABOVE_SAMPLES = 100_000
