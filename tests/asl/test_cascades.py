"""One root cause, one error: a misplaced or misspelt key in a definition is reported once, without the
unreachable states and missing terminal state it would otherwise drag along; independent mistakes in the
same definition are all still reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tamis
from tamis.errors import Diagnostic

LAMBDA = "arn:aws:states:::lambda:invoke"


def errors(definition: Any, **options: Any) -> list[tuple[str, str]]:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return [(d.code, d.pointer) for d in tamis.validate_asl(text, **options) if d.severity == "error"]


def one_error(definition: Any) -> Diagnostic:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    found = [d for d in tamis.validate_asl(text) if d.severity == "error"]
    assert len(found) == 1, found
    return found[0]


def chain(first: dict[str, Any]) -> dict[str, Any]:
    """A four-state chain whose first state is ``first``: a cascade would call B, C, D unreachable."""
    return {
        "StartAt": "A",
        "States": {
            "A": first,
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Pass", "Next": "D"},
            "D": {"Type": "Succeed"},
        },
    }


def test_next_inside_parameters_is_one_error_with_a_hint() -> None:
    d = one_error(
        chain({"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f", "Next": "B"}})
    )
    assert (d.code, d.pointer) == ("ASL101", "/States/A")
    assert "a 'Next' sits inside Parameters, where it is data: move it up to the state" in d.message


def test_end_inside_arguments_of_a_jsonata_state() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": LAMBDA, "Arguments": {"FunctionName": "f", "End": True}}
        },
    }
    d = one_error(machine)
    assert "a 'End' sits inside Arguments" in d.message


def test_a_state_without_type_is_one_error_and_its_next_still_counts() -> None:
    d = one_error(chain({"Next": "B"}))
    assert (d.code, d.message, d.pointer) == ("ASL101", "These fields are required: [Type]", "/States/A")


def test_a_misspelt_type_value_is_one_error_with_a_hint() -> None:
    d = one_error(chain({"Type": "Pas", "Next": "B"}))
    assert d.pointer == "/States/A/Type" and 'did you mean "Pass"?' in d.message


def test_a_misspelt_states_key_is_one_error_and_its_states_are_still_checked() -> None:
    machine = {"StartAt": "A", "Sates": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    d = one_error(machine)
    assert (d.pointer, d.message) == (
        "/Sates",
        "field 'Sates' is not supported at the top level; did you mean 'States'?",
    )
    # a mistake under the misspelt key is found too: the states were read in its place
    machine["Sates"]["B"] = {"Type": "Wait", "Seconds": "ten", "End": True}
    assert errors(machine) == [("ASL101", "/Sates"), ("ASL101", "/Sates/B/Seconds")]


def test_a_misspelt_start_at_and_a_misspelt_key_of_a_parallel_branch() -> None:
    assert errors({"StrtAt": "A", "States": {"A": {"Type": "Succeed"}}}) == [("ASL101", "/StrtAt")]
    branch = {"StartAt": "X", "State": {"X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Succeed"}}}
    machine = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [branch], "End": True}}}
    d = one_error(machine)
    assert d.pointer == "/States/P/Branches/0/State" and "did you mean 'States'?" in d.message


def test_a_misspelt_transition_target_is_one_error() -> None:
    machine = {
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Next": "Chekc"},
            "Check": {"Type": "Pass", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    d = one_error(machine)
    assert d.code == "ASL201" and 'did you mean "Check"?' in d.message
    # a target near no state name: what it meant is unknown, so the machine is not said to lack an end
    machine["States"]["Start"]["Next"] = "Elsewhere"
    assert ("ASL202", "/States") not in errors(machine)


def test_a_failed_choice_rule_does_not_cascade() -> None:
    machine = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "BooleanEquals": "yes", "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Fail"},
        },
    }
    d = one_error(machine)
    assert d.pointer.startswith("/States/Pick/Choices/0")


def test_a_target_read_as_a_boolean_or_a_number_names_its_state() -> None:
    """A YAML 1.1 reader turns ``Next: Yes`` into true: the target is wrong, once; the state named Yes is
    the one it meant, not an unreachable one."""
    text = (
        "StartAt: Ask\nStates:\n  Ask:\n    Type: Choice\n    Choices:\n      - Variable: $.ok\n"
        "        BooleanEquals: true\n        Next: {target}\n    Default: No\n"
        "  {name}:\n    Type: Succeed\n  No:\n    Type: Fail\n"
    )
    for target, name in (("true", "Yes"), ("5", "'5'")):
        found = errors(text.replace("{target}", target).replace("{name}", name))
        assert found == [("ASL101", "/States/Ask/Choices/0/Next")], (target, found)


MISINDENTED = """\
StartAt: A
States:
  A:
    Type: Pass
    Next: B
  B:
    Type: Pass
  Next: C
  C:
    Type: Choice
    Choices:
      - Variable: $.x
        BooleanEquals: true
        Next: D
    Default: D
  D:
    Type: Succeed
"""


def test_a_mis_indented_yaml_key_is_one_error_naming_its_state() -> None:
    d = one_error(MISINDENTED)
    assert (d.code, d.line, d.column, d.pointer) == ("ASL101", 8, 3, "/States/Next")
    assert d.message == (
        "'Next' is a field of a state, not a state; "
        "it belongs to a state: indent it under 'B', the state above"
    )


def test_a_mis_indented_type_is_one_error() -> None:
    text = "StartAt: A\nStates:\n  A:\n    Next: B\n  Type: Pass\n  B:\n    Type: Succeed\n"
    d = one_error(text)
    assert (d.line, d.pointer) == (5, "/States/Type") and "indent it under 'A'" in d.message


def test_independent_mistakes_are_all_still_reported() -> None:
    machine = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f", "Next": "B"}},
            "B": {"Type": "Pass", "Next": "Procss"},
            "Process": {"Type": "Wait", "Seconds": "ten", "Next": "D"},
            "D": {"Type": "Succeed"},
            "Orphan": {"Type": "Succeed"},  # nothing names it: unreachable however A and B are fixed
        },
    }
    assert errors(machine) == [
        ("ASL101", "/States/A"),
        ("ASL101", "/States/Process/Seconds"),
        ("ASL201", "/States/B/Next"),
        ("ASL203", "/States/Orphan"),
    ]


def test_without_a_broken_state_the_graph_checks_are_unchanged() -> None:
    unreachable = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}
    assert errors(unreachable) == [("ASL203", "/States/B")]
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    assert errors(loop) == [("ASL202", "/States")]


def test_lint_reports_the_same_single_error(tmp_path: Path) -> None:
    from tamis.lint import lint

    (tmp_path / "flow.asl.yaml").write_text(MISINDENTED, encoding="utf-8")
    found = [(d.code, d.line, d.column) for d in lint(None, cwd=tmp_path).diagnostics]
    assert found == [("ASL101", 8, 3)]
