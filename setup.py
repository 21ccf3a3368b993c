"""Build hook for the optional native matcher core; all other metadata lives in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        # optional: where no C compiler is available the pure-Python matcher is used instead.
        Extension("tamis.runtime._native", ["runtime/_native.c"], optional=True),
    ]
)
