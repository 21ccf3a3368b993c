""" "Did you mean" hints: a misspelt operator, field, identifier, error or state name names the one meant;
a name near nothing gets no hint."""

from __future__ import annotations

import pytest

import tamis
from tamis.compiler.suggestions import closest


def test_closest_prefers_case_then_edit_distance_and_gives_up_when_far() -> None:
    assert closest("Suffix", ["prefix", "suffix"]) == "suffix"
    assert closest("sufix", ["prefix", "suffix", "wildcard"]) == "suffix"
    assert closest("anything_but", ["anything-but", "exists"]) == "anything-but"
    assert closest("regex", ["prefix", "suffix", "exists"]) is None
    assert closest("suffix", ["suffix"]) is None  # the word itself is no hint


def test_unknown_pattern_operator_names_the_near_one() -> None:
    with pytest.raises(tamis.PatternError) as err:
        tamis.compile_pattern('{"a": [{"sufix": "x"}]}')
    assert str(err.value).endswith('unknown operator "sufix"; did you mean "suffix"?')
    with pytest.raises(tamis.PatternError) as err:
        tamis.compile_pattern('{"a": [{"contains": "x"}]}')
    assert "did you mean" not in str(err.value)


def test_sns_hint_names_only_operators_the_dialect_has() -> None:
    with pytest.raises(tamis.PatternError) as err:
        tamis.compile_pattern('{"a": [{"wildcrd": "x*"}]}', dialect="sns")
    assert "did you mean" not in str(err.value)  # SNS has no wildcard operator to suggest


def test_unknown_managed_identifier_names_the_near_one() -> None:
    policy = """{"Name": "p", "Version": "2021-06-01", "Statement": [{"Sid": "a", "DataDirection": "Inbound",
      "Principal": ["*"], "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumbr"],
      "Operation": {"Audit": {"SampleRate": 1, "FindingsDestination": {}}}}]}"""
    with pytest.raises(tamis.PolicyError) as err:
        tamis.compile_policy(policy)
    assert 'did you mean "CreditCardNumber"?' in str(err.value)


def _messages(definition: str) -> list[str]:
    return [d.message for d in tamis.validate_asl(definition)]


def test_asl_hints_for_a_state_name_a_field_and_an_error_name() -> None:
    messages = _messages(
        """{"StartAt": "Charge", "States": {
          "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Nxet": "Done",
                     "Next": "Dnoe",
                     "Catch": [{"ErrorEquals": ["States.Timout"], "Next": "Done"}]},
          "Done": {"Type": "Succeed"}}}"""
    )
    assert any(m.endswith('did you mean "Done"?') and "Dnoe" in m for m in messages), messages
    assert any("'Nxet'" in m and m.endswith('did you mean "Next"?') for m in messages), messages
    assert any("States.Timout" in m and m.endswith('did you mean "States.Timeout"?') for m in messages), (
        messages
    )
