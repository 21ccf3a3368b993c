"""Both native cores build from pip and a C/C++ compiler alone: no RE2 headers or library from the OS.

The redactor's core reaches RE2 inside the google-re2 wheel at import time (runtime/redact/core/re2_link.h);
`.ci/run` builds with poisoned RE2 and abseil headers first on the include path, and the checks here hold
the built extensions to what they may link.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tamis.runtime.events import native as events_native
from tamis.runtime.redact import native as redact_native

ROOT = Path(__file__).resolve().parents[1]
CORE_SOURCES = [ROOT / "runtime/events/_native.c", *sorted((ROOT / "runtime/redact/core").glob("*.[ch]*"))]
# What a manylinux extension may need (auditwheel's policy lists these and a few more of the C library).
SYSTEM_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "libstdc++.so.6",
    "libgcc_s.so.1",
}


def _required() -> bool:
    return os.environ.get("TAMIS_REQUIRE_NATIVE") == "1"


def test_no_core_source_includes_re2_or_abseil() -> None:
    assert CORE_SOURCES
    for path in CORE_SOURCES:
        includes = re.findall(r'#include\s*[<"]([^>"]+)[>"]', path.read_text(encoding="utf-8"))
        assert not [i for i in includes if i.startswith(("re2/", "absl/"))], path


@pytest.mark.parametrize("module", ["events", "redact"])
def test_core_loads_and_links_no_other_library(module: str) -> None:
    core = events_native.core if module == "events" else redact_native._redact
    if core is None:
        if _required():
            pytest.fail(f"TAMIS_REQUIRE_NATIVE=1 but the {module} core did not load")
        pytest.skip(f"the {module} core is not built here")
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf (binutils) is not installed: the dynamic section cannot be read")
    out = subprocess.run([readelf, "-d", core.__file__], capture_output=True, text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
    assert needed <= SYSTEM_LIBRARIES, needed - SYSTEM_LIBRARIES
    assert not any("re2" in n or "absl" in n for n in needed)
