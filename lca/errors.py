"""Domain exceptions. Their messages tell the user what to do; the CLI turns them into exit 2."""


class LcaError(Exception):
    """Base class of errors that are the user's to fix."""


class InputError(LcaError, ValueError):
    """A bad input file, key or value. The message names the file, the key, expected and got."""


class OutputError(LcaError):
    """The operating system could not write an output (full disk, closed stream): exit code 1."""


class UnknownIdError(InputError, KeyError):
    """An id (source, accelerator, grid, factor set) that is not known; lists the nearest ids."""

    def __str__(self) -> str:  # KeyError would add quotes
        return self.args[0] if self.args else ""


def nearest(name: str, known) -> list[str]:
    import difflib

    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.3)
    return close or known[:8]


def unknown_id(kind: str, name: str, known, where: str = "") -> UnknownIdError:
    near = nearest(str(name), known)
    prefix = f"{where}: " if where else ""
    return UnknownIdError(f"{prefix}unknown {kind} {name!r}; nearest known: {', '.join(near)}")
