"""Import chromadb without paying for its `@override` checks: about 0.15 s of every cold `yalu ask`.

chromadb marks about 40 methods with the `overrides` package's `@override`, which, while each class is
created, reads the caller's bytecode to find the base classes and compares signatures with `inspect`. That
is a developer's check. Nothing in it changes what chromadb does. Before chromadb is first imported, the
decorator is replaced with one that only sets the `__override__` mark that chromadb's `EnforceOverrides`
metaclass looks for. If chromadb was imported already (a test, a caller's own import), nothing is changed.
"""

from __future__ import annotations

import sys
from typing import Any


def prepare_chromadb_import() -> None:
    """Call before `import chromadb`: the light `@override` is put in place if this is its first import."""
    if "chromadb" not in sys.modules:
        _light_overrides()


def _light_overrides() -> None:
    try:
        import overrides
    except ImportError:  # a chromadb that no longer needs the package
        return

    def override(method: Any = None, **_options: Any) -> Any:
        def mark(function: Any) -> Any:
            function.__override__ = True  # what EnforceOverrides checks
            return function

        return mark(method) if method is not None else mark

    overrides.override = override
    overrides.overrides = override
