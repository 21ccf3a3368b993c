"""Which native cores run in this process, and why a core that does not run falls back.

Each core's interface module (runtime/events/native.py, runtime/redact/native.py) reports here when its
extension does not load; ``info()`` (also ``tamis.runtime.info()`` and ``tamis --version``) says, per core,
``native`` or ``python`` with the reason. A core that falls back warns once (RuntimeWarning), except where
the user turned the cores off with TAMIS_NATIVE=0.
"""

from __future__ import annotations

import warnings

from tamis.runtime import NATIVE_ALLOWED

EVENT_MATCHER = "event matcher"
REDACTOR = "redactor"

# core -> why it does not load (absent: it loaded)
_UNAVAILABLE: dict[str, str] = {}


def unavailable(core: str, error: ImportError) -> str:
    """Record that ``core``'s extension did not load (``error``), warn where that was not asked for, and
    return the reason."""
    if (
        error.name is not None
        and error.name.startswith("tamis.runtime.")
        and "cannot import name" in str(error)
    ):
        why = "not built for this install (TAMIS_BUILD_NATIVE=0, or the redactor's core off Linux)"
    else:
        why = str(error)
    _UNAVAILABLE[core] = why
    if NATIVE_ALLOWED:
        warnings.warn(
            f"tamis: the {core}'s native core did not load ({why}); the Python engine runs instead "
            "(same answers, slower). Set TAMIS_NATIVE=0 to choose it without this warning.",
            RuntimeWarning,
            stacklevel=2,
        )
    return why


def state(core: str) -> str:
    """``native``, or ``python (why)``."""
    if core in _UNAVAILABLE:
        return f"python ({_UNAVAILABLE[core]})"
    if not NATIVE_ALLOWED:
        return "python (TAMIS_NATIVE=0)"
    return "native"
