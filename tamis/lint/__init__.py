"""``tamis lint``: find every event pattern, filter policy, filter criteria, data-protection policy and state
machine in a repository, check each with the right dialect, and report in the file the user edits.

    result = tamis.lint.lint(["infra/"])          # LintResult
    result.diagnostics                            # [tamis.Diagnostic], located in the edited files
    result.exit_code                              # 0 clean, 1 errors

The modules, in the order a run uses them: ``discover`` (which files, and their kinds), ``cloudformation``
and ``terraform`` (where targets sit in a template), ``targets`` (a target and the map back to the edited
file), ``check`` (the compiler of each language), ``run`` (the whole run, suppressions), ``output``.
"""

from __future__ import annotations

from tamis.lint.discover import ConfigError, LintConfig
from tamis.lint.run import LintResult, lint

__all__ = ["ConfigError", "LintConfig", "LintResult", "lint"]
