"""``tamis lint [PATH ...]``: check every pattern, policy and state machine in a repository.

Exit status: 0 clean (notes and warnings allowed), 1 errors found, 2 usage or configuration error, or a
PATH that does not exist (the contract of every command: tamis/cli/reporting.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tamis.cli.reporting import EXIT_USAGE, add_format, add_quiet, jobs_count


def register(sub: Any) -> None:
    p = sub.add_parser(
        "lint",
        help="find and check patterns, policies and state machines in templates, Terraform, JSON, YAML",
        description=(
            "Find every event pattern, SNS filter policy, Lambda filter criteria, data-protection policy "
            "and state machine under PATH (default: the current folder, honouring .gitignore) and check it."
        ),
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    add_format(p, ("text", "json", "sarif"))
    p.add_argument(
        "--config", metavar="FILE", help="a .tamis.toml or pyproject.toml to use instead of the nearest"
    )
    p.add_argument(
        "-W", "--warnings-as-errors", action="store_true", default=None, help="treat warnings as errors"
    )
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="silence a code such as EVT223 (repeatable; PREFIX* allowed: EVT2*, ASL*)",
    )
    add_quiet(p)
    p.add_argument(
        "--force-exclude",
        action="store_true",
        help="skip files named on the command line that match `exclude` too (for pre-commit hooks)",
    )
    p.add_argument("--no-source", action="store_true", help="text format: do not print the offending lines")
    p.add_argument(
        "-j",
        "--jobs",
        type=jobs_count,
        default=None,
        metavar="N",
        help="worker processes for a repository of 300 files or more (default: one per core; 1: none)",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tamis import __version__
    from tamis.cli.reporting import shown
    from tamis.lint import ConfigError, LintResult, lint
    from tamis.lint import output as lint_output
    from tamis.lint.config import canonical_codes, force_excluded, resolve_config, unknown_spelling

    here = Path.cwd()
    paths: list[str] = list(args.paths)
    for spelling in args.ignore:
        why = unknown_spelling(spelling)
        if why is not None:  # an --ignore that silences nothing is a usage error, as in the config file
            print(f"tamis lint: error: --ignore {why}", file=sys.stderr)
            return 2
    deprecated: list[tuple[str, str]] = []
    ignore = canonical_codes(args.ignore, deprecated)
    for old, new in deprecated:  # a note, not an error: the old spelling still works
        print(f"tamis lint: note: --ignore {old} is the old spelling of {new}; write {new}", file=sys.stderr)
    try:
        config: Any = args.config
        if args.force_exclude:
            config = resolve_config([here / p for p in paths], args.config, here)
            paths = [p for p in paths if not (Path(p).is_file() and force_excluded(config, Path(p), here))]
        if args.paths and not paths:  # every file named is excluded: nothing to read, not the whole folder
            result = LintResult()
        else:
            result = lint(
                paths or None,
                config=config,
                ignore=ignore,
                warnings_as_errors=args.warnings_as_errors,
                jobs=args.jobs,
            )
    except ConfigError as exc:
        print(f"tamis lint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    diags = shown(result.diagnostics, args.quiet)
    if args.format == "json":
        report = lint_output.format_json(diags, result.files, result.checked) + "\n"
    elif args.format == "sarif":
        root = lint_output.repository_root(here, config_root=getattr(config, "root", None))
        report = lint_output.format_sarif(diags, here, __version__, root=root, texts=result.texts) + "\n"
    else:
        report = lint_output.format_text(diags, result.texts, show_source=not args.no_source)
        report += lint_output.summary(diags, result.files, result.checked) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(report, encoding="utf-8")
        except OSError as exc:
            print(f"tamis lint: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(report)
    return result.exit_code
