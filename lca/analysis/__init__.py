"""Many runs: sensitivity analysis (Sobol, Morris, FAST, delta) and sweeps over the totals kernel."""
