"""Build hooks for the optional native cores; all other metadata lives in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        # Both optional: where a build fails (no C compiler, no RE2 headers) the pure-Python twin runs.
        Extension("tamis.runtime.events._native", ["runtime/events/_native.c"], optional=True),
        # The redactor's core links RE2's C++ library (Debian: libre2-dev), which the google-re2 wheel
        # does not expose.
        Extension(
            "tamis.runtime.redact._redact",
            # one file per concept, each named for the Python module it follows (runtime/redact/native.py)
            [
                "runtime/redact/core/module.cc",
                "runtime/redact/core/scanner.cc",
                "runtime/redact/core/search.cc",
                "runtime/redact/core/keywords.cc",
                "runtime/redact/core/checks.cc",
                "runtime/redact/core/rewrite.cc",
            ],
            depends=["runtime/redact/core/redact.h"],
            libraries=["re2"],
            extra_compile_args=["-std=c++17", "-O2"],
            language="c++",
            optional=True,
        ),
    ]
)
