"""``tamis lint``: find every event pattern, filter policy, filter criteria, data-protection policy and state
machine in a repository, check each with the right dialect, and report in the file the user edits.

    result = tamis.lint.lint(["infra/"])          # LintResult
    result.diagnostics                            # [tamis.Diagnostic], located in the edited files
    result.exit_code                              # 0 clean, 1 errors

The modules, in the order a run uses them: ``config`` (the ``[tool.tamis]`` table, code and glob
matching), ``discover`` (which files), ``kinds`` (what each file holds, by name or shape),
``cloudformation`` and ``terraform`` (where targets sit in a template; the templates and HCL themselves are
read by grammar/), ``targets`` (a target and the map back to the edited file), ``check`` (the compiler of
each language), ``suppressions`` (``# tamis: ignore`` comments), ``run`` (one whole run), ``output``.
"""

from __future__ import annotations

from tamis.lint.config import ConfigError, LintConfig
from tamis.lint.run import LintResult, lint

__all__ = ["ConfigError", "LintConfig", "LintResult", "lint"]
