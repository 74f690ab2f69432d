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
