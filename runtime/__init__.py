"""The hot path: matchers and redactors. Imports neither lark nor jsonschema."""

import os

# TAMIS_NATIVE=0 in the environment keeps every native core (the event matcher's and the redactor's) off
# for the whole process, to rule them out when diagnosing; each module still has its own USE_NATIVE switch.
NATIVE_ALLOWED = os.environ.get("TAMIS_NATIVE", "1") != "0"


def info() -> dict[str, str]:
    """tamis's version and, per native core, ``native`` or ``python (why)``: what ``tamis --version``
    prints, one ``key: value`` line each."""
    from importlib.metadata import PackageNotFoundError, version

    # Importing each interface module loads its core (and records why, where it does not load).
    from tamis.runtime import cores
    from tamis.runtime.events import native as _events  # noqa: F401
    from tamis.runtime.redact import native as _redact  # noqa: F401

    try:
        tamis_version = version("tamis")
    except PackageNotFoundError:  # run from a checkout that is not installed
        tamis_version = "unknown"
    return {
        "tamis": tamis_version,
        cores.EVENT_MATCHER: cores.state(cores.EVENT_MATCHER),
        cores.REDACTOR: cores.state(cores.REDACTOR),
    }
