"""Which event matcher a test runs: the native core or its pure-Python twin (the definition)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tamis.runtime.events import matcher as event_matcher
from tamis.runtime.events import string_tests

NATIVE = event_matcher._native is not None
# Parameters of a test (or fixture) run on each engine; the core's run is skipped, visibly, where it
# was not built.
ENGINES = [
    pytest.param(True, id="native", marks=pytest.mark.skipif(not NATIVE, reason="no native matcher core")),
    pytest.param(False, id="python"),
]


@contextmanager
def engine(native: bool) -> Iterator[None]:
    """Matchers created inside use the native core (``True``) or the Python twin."""
    saved = event_matcher.USE_NATIVE, string_tests.NATIVE_FIND
    event_matcher.USE_NATIVE = native
    string_tests.NATIVE_FIND = native and string_tests._core is not None
    try:
        yield
    finally:
        event_matcher.USE_NATIVE, string_tests.NATIVE_FIND = saved
