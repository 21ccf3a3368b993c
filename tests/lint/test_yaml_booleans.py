"""YAML booleans are read by the YAML 1.2 core schema (true/false only), for values as for keys: a state
named ``Yes`` and ``Next: Yes`` name the same state, as the YAML 1.2 readers of deploy tools read them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.grammar.located_yaml import parse_yaml
from tamis.lint import lint

# A Choice whose states are named Yes and No: under YAML 1.1, `Next: Yes` and `Default: No` were booleans
# while the keys `Yes:` and `No:` stayed strings, and the file got errors for states that are there.
APPROVAL = textwrap.dedent("""\
    Comment: An order is approved, rejected or sent back
    StartAt: Check
    States:
      Check:
        Type: Choice
        Choices:
          - Variable: $.approved
            BooleanEquals: true
            Next: Yes
          - Variable: $.rejected
            BooleanEquals: true
            Next: No
        Default: Review
      Review:
        Type: Choice
        Choices:
          - Variable: $.retry
            BooleanEquals: TRUE
            Next: Check
        Default: No
      Yes:
        Type: Pass
        Next: Done
      No:
        Type: Fail
        Error: Rejected
      Done:
        Type: Succeed
    """)


def test_yes_no_on_off_are_strings_and_true_false_booleans() -> None:
    doc = parse_yaml("a: Yes\nb: no\nc: on\nd: OFF\ne: y\nf: true\ng: False\nh: TRUE\nYes: 1\ntrue: 2\n")
    assert doc.value == {
        "a": "Yes",
        "b": "no",
        "c": "on",
        "d": "OFF",
        "e": "y",
        "f": True,
        "g": False,
        "h": True,
        "Yes": 1,
        "true": 2,  # keys are their text: a JSON object's keys are strings
    }
    # a string read this way maps back to where it was written, like any other string
    assert doc.string_offsets(("a",)) == [3, 4, 5, 6]


def test_a_state_machine_with_states_named_yes_and_no_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "approval.asl.yml").write_text(APPROVAL, encoding="utf-8")
    result = lint(None, cwd=tmp_path)
    assert result.diagnostics == [] and result.checked == 1
    assert main(["lint", "--format", "json", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["diagnostics"] == []
    assert main(["validate-asl", str(tmp_path / "approval.asl.yml")]) == 0


def test_a_yes_where_a_boolean_belongs_is_reported(tmp_path: Path) -> None:
    """The other side of the choice: `End: yes` is the string "yes", and End wants a boolean."""
    (tmp_path / "flow.asl.yaml").write_text(
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: yes\n", encoding="utf-8"
    )
    result = lint(None, cwd=tmp_path)
    errors = [(d.code, d.line) for d in result.diagnostics if d.severity == "error"]
    assert ("ASL101", 5) in errors, errors  # at `End: yes`
