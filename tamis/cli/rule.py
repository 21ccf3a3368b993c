"""``tamis rule CODE``: what a code means, why it matters, an example and the fix (as ``ruff rule`` does).

``CODE`` is a code (``EVT223``) or an old spelling of one (``pattern.numeric-bounds``,
``MISSING_TRANSITION_TARGET``), which is shown with a note naming the new code. ``--all`` lists every
code; ``--all --format markdown`` writes docs/rules.md, the one table of codes in the repository
(tests/test_rules.py fails when the file is out of date). Exit status: 0, or 2 for an unknown code.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tamis.cli.reporting import EXIT_OK, EXIT_USAGE

GENERATED_BY = "tamis rule --all --format markdown > docs/rules.md"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rule",
        help="explain a diagnostic code (EVT223, ASL201, ...); --all lists every code",
        description="Explain a code: its summary, why it matters, an example and the fix.",
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="a code, or an old spelling of one")
    parser.add_argument("--all", action="store_true", help="every code")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="report format"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from tamis.rules import RULES, resolve

    if args.all == (args.code is not None):
        print("tamis rule: error: give one CODE, or --all", file=sys.stderr)
        return EXIT_USAGE
    if args.all:
        if args.format == "json":
            sys.stdout.write(json.dumps([_as_json(r) for r in RULES], indent=2, ensure_ascii=False) + "\n")
        elif args.format == "markdown":
            sys.stdout.write(markdown_page())
        else:
            width = max(len(r.code) for r in RULES)
            for r in RULES:
                sys.stdout.write(f"{r.code:<{width}}  {r.name:<32} {r.severity:<7}  {r.summary}\n")
        return EXIT_OK
    rule, old = resolve(args.code)
    if rule is None:
        print(f"tamis rule: error: unknown code {args.code!r} (tamis rule --all lists them)", file=sys.stderr)
        return EXIT_USAGE
    if old:
        print(
            f"tamis rule: note: {args.code} is the old spelling of {rule.code}; write {rule.code}",
            file=sys.stderr,
        )
    if args.format == "json":
        sys.stdout.write(json.dumps(_as_json(rule), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(_markdown_one(rule))
    else:
        sys.stdout.write(_text(rule))
    return EXIT_OK


def _as_json(rule: Any) -> dict[str, Any]:
    from tamis.rules import FAMILIES

    return {
        "code": rule.code,
        "name": rule.name,
        "family": FAMILIES[rule.prefix],
        "group": rule.group,
        "severity": rule.severity,
        "summary": rule.summary,
        "why": rule.why,
        "example": rule.example,
        "fix": rule.fix,
        "service_code": rule.service_code,
        "aliases": list(rule.aliases),
    }


def _text(rule: Any) -> str:
    from tamis.rules import FAMILIES

    lines = [f"{rule.code} ({rule.name})", ""]
    lines.append(f"Family:   {FAMILIES[rule.prefix]} ({rule.group})")
    lines.append(f"Default:  {rule.severity}")
    if rule.service_code:
        lines.append(f"Service:  {rule.service_code}")
    if rule.aliases:
        lines.append(f"Formerly: {', '.join(rule.aliases)}")
    lines += ["", rule.summary, "", "Why", f"    {rule.why}", "", "Example"]
    lines += [f"    {line}" for line in rule.example.split("\n")]
    lines += ["", "Fix", f"    {rule.fix}", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, line breaks as <br>."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def _code_cell(text: str) -> str:
    """Code for a Markdown table cell: a code span, or HTML ``<code>`` when it spans lines (a table cell
    is one line)."""
    if "\n" in text:
        import html

        lines = (html.escape(line).replace("|", "&#124;").replace(" ", "&nbsp;") for line in text.split("\n"))
        return f"<code>{'<br>'.join(lines)}</code>"
    text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _markdown_one(rule: Any) -> str:
    return "\n".join(
        [
            f"### {rule.code}: {rule.name}",
            "",
            rule.summary,
            "",
            f"**Why.** {rule.why}",
            "",
            "**Example.**",
            "",
            "```",
            rule.example,
            "```",
            "",
            f"**Fix.** {rule.fix}",
            "",
        ]
    )


def markdown_page() -> str:
    """docs/rules.md: every code in one table, each row with an anchor (``#evt223``) that SARIF's helpUri
    and the docs point at."""
    from tamis.rules import FAMILIES, RULES

    out = [
        "# tamis codes",
        "",
        f"<!-- Generated by `{GENERATED_BY}` from tamis/rules.py; do not edit by hand. -->",
        "",
        "Every diagnostic and error tamis reports has one code: a prefix naming its family and a number. "
        "Numbers are stable: a code is never renumbered or reused. `tamis rule CODE` prints one entry; "
        "configuration (`ignore`, `severity`), `--ignore` and `# tamis: ignore[CODE]` comments take the "
        "codes (`EVT2*` for a group). The old spellings in the last column still work, with a note naming "
        "the new code.",
        "",
        "| Prefix | Family |",
        "|---|---|",
        *(f"| `{p}` | {name} |" for p, name in FAMILIES.items()),
        "",
        "| Code | Name | Default | Summary | Why | Example | Fix | Service code, old spellings |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in RULES:
        known = ", ".join(f"`{a}`" for a in dict.fromkeys(((r.service_code or ""), *r.aliases)) if a)
        out.append(
            f'| <a id="{r.anchor}"></a>`{r.code}` | {_cell(r.name)} | {r.severity} | {_cell(r.summary)} '
            f"| {_cell(r.why)} | {_code_cell(r.example)} | {_cell(r.fix)} | {known} |"
        )
    return "\n".join(out) + "\n"
