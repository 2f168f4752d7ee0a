"""Starting worker processes from any caller: a script without a ``__main__`` guard, standard
input or a notebook (`main_not_reimported`)."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def main_not_reimported():
    """Start worker processes without re-running the caller's main module.

    A spawned process normally imports ``__main__`` again: a script without an
    ``if __name__ == "__main__":`` guard would start its sweep again in every worker
    (BrokenProcessPool), and code read from standard input has no file to import
    (FileNotFoundError: '<stdin>'). Workers run only functions of sim (a sweep's chunks, a
    draw's runs), so the main module is hidden from multiprocessing while the processes start.
    """
    main = sys.modules.get("__main__")
    saved = {name: getattr(main, name) for name in ("__spec__", "__file__") if hasattr(main, name)}
    try:
        for name in saved:
            delattr(main, name) if name == "__file__" else setattr(main, name, None)
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)
