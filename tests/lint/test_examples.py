"""The examples/ repository reports exactly the deliberate mistakes its README documents, and the shared
embedded-definition corpus (valid once rendered) lints clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support.shared import shared_path

from tamis.lint import lint
from tamis.lint.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def documented() -> set[tuple[str, int, int, str, str]]:
    """(path, line, column, severity, code) rows of the README's table of deliberate mistakes."""
    rows = set()
    for line in (EXAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            path, ln, col = cells[1].rsplit(":", 2)
            rows.add((f"examples/{path}", int(ln), int(col), cells[2], cells[3]))
    return rows


def test_examples_report_exactly_the_documented_mistakes() -> None:
    expected = documented()
    assert len(expected) >= 8
    result = lint(["examples"], cwd=ROOT)
    got = {(d.source, d.line, d.column, d.severity, d.code) for d in result.diagnostics}
    assert got == expected
    assert result.exit_code == 1
    # messages start as documented
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for d in result.diagnostics:
        assert d.message[:30] in readme, d.message


def test_examples_cover_every_input_form() -> None:
    result = lint(["examples"], cwd=ROOT)
    # every file that holds something to check was read: templates, Terraform, referenced and stand-alone
    read = set(result.texts)
    for name in (
        "claims-sam/template.yaml",
        "claims-sam/statemachine/claims.asl.json",
        "claims-replay/template.yaml",
        "expenses-terraform/main.tf",
        "expenses-terraform/expense-approval.asl.json.tftpl",
        "expenses-terraform/policies/expense-report-masking.json",
        "standalone/patterns/high-value-claim.json",
        "standalone/filters/claims-stream-filter.json",
        "standalone/policies/claims-call-center-logs.json",
        "standalone/claims-intake.asl.yaml",
    ):
        assert f"examples/{name}" in read, name
    # claims-sam: 2 rules, the topic's policy, the subscription, 2 function events, the DefinitionUri
    # machine (7; the !Ref pattern is a note); expenses-terraform: 2 subscriptions, the file() policy, the
    # heredoc policy, the rule, the templatefile() machine, the mapping's filter (7); standalone: the
    # pattern, 2 filter patterns, the policy, the JSONata machine (5); claims-replay: the topic's archive
    # policy and the subscription's replay policy (2). Each is checked once.
    assert result.checked == 21


def test_the_seed_policy_in_the_examples_is_the_shared_one() -> None:
    seed = shared_path("data_protection", "policies", "sns_seed_mask_outbound_reporting_role.json")
    ours = EXAMPLES / "expenses-terraform" / "policies" / "expense-report-masking.json"
    assert json.loads(ours.read_text()) == json.loads(seed.read_text())


def test_shared_embedded_definitions_lint_clean(tmp_path: Path) -> None:
    folder = shared_path("conformance", "asl", "embedded")
    index = [json.loads(line) for line in (folder / "index.jsonl").read_text().splitlines() if line.strip()]
    for case in index:
        src = folder.parent / case["file"]
        dst = tmp_path / src.name
        dst.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        result = lint([str(dst)], cwd=tmp_path)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if "DefinitionUri" in dst.read_text():
            # the referenced file is not part of the corpus: named, not silently skipped
            assert [d.code for d in errors] == ["LNT005"], case
        else:
            assert errors == [], (case, errors)
        assert result.checked >= (0 if "DefinitionUri" in dst.read_text() else 1), case


def test_the_lint_docs_list_every_kind_the_configuration_takes() -> None:
    readme = (EXAMPLES.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    listed = readme[readme.index("Kinds: ") :].split(".\n", 1)[0]
    assert set(re.findall(r"`([a-z-]+)`", listed)) == set(KINDS)
