"""CLI commands beyond run/validate/list: sweep, sensitivity, plot, report, export, factors."""


def add_commands(sub) -> None:
    return None
