"""Build hooks for the native cores; all other metadata lives in pyproject.toml.

Both cores build with a C/C++17 compiler and Python's headers alone: the redactor's core calls the RE2
inside the google-re2 wheel, found at import time (runtime/redact/core/re2_link.h), so nothing from the
OS package manager is needed. A core that does not build fails the install with the reason, instead of
leaving a silently slower tamis; TAMIS_BUILD_NATIVE=0 installs the pure-Python engines on purpose (same
answers, slower). The redactor's core reaches RE2 by the C++ symbol names of Linux's libstdc++ builds of
google-re2, so it is built on Linux only; elsewhere the Python redactor runs, and `tamis --version` and a
RuntimeWarning say so.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

WHAT = {
    "tamis.runtime.events._native": "the event matcher's native core (C)",
    "tamis.runtime.redact._redact": "the redactor's native core (C++17)",
}


class BuildCores(build_ext):
    """build_ext that names the core and the way out when one does not build."""

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            raise SystemExit(
                f"tamis: {WHAT.get(ext.name, ext.name)} did not build: {exc}\n"
                "tamis: install a C/C++17 compiler (for example gcc and g++) and retry, or set "
                "TAMIS_BUILD_NATIVE=0 to install the pure-Python engines (same answers, slower)."
            ) from exc


EVENT_MATCHER = Extension("tamis.runtime.events._native", ["runtime/events/_native.c"])
REDACTOR = Extension(
    "tamis.runtime.redact._redact",
    # one file per concept, each named for the Python module it follows (runtime/redact/native.py)
    [
        "runtime/redact/core/module.cc",
        "runtime/redact/core/scanner.cc",
        "runtime/redact/core/search.cc",
        "runtime/redact/core/keywords.cc",
        "runtime/redact/core/checks.cc",
        "runtime/redact/core/rewrite.cc",
        "runtime/redact/core/re2_link.cc",
    ],
    depends=["runtime/redact/core/redact.h", "runtime/redact/core/re2_link.h"],
    libraries=["dl"],  # dlopen/dlsym (part of libc since glibc 2.34; a separate library before)
    extra_compile_args=["-std=c++17", "-O2"],
    language="c++",
)
CORES = [EVENT_MATCHER, *([REDACTOR] if sys.platform.startswith("linux") else [])]

setup(
    ext_modules=[] if os.environ.get("TAMIS_BUILD_NATIVE") == "0" else CORES,
    cmdclass={"build_ext": BuildCores},
)
