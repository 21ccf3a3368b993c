"""Data-protection policies: every independent mistake is found in one run.

The error raised is the one a single-error run raises (the first met); the other independent mistakes are
in its ``more``, in the order found, each located at its own line. A check that relies on a part that
failed is skipped, so one mistake never yields a cascade of consequences.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tamis.compiler.data_protection.policy import compile_model
from tamis.errors import PolicyError

ARN = "arn:aws:dataprotection::aws:data-identifier/"
ROLE = "arn:aws:iam::123456789012:role/Reporting"


def _statement(ident: str = "CreditCardNumber", **changes: Any) -> dict[str, Any]:
    st: dict[str, Any] = {
        "DataDirection": "Inbound",
        "Principal": ["*"],
        "DataIdentifier": [ARN + ident],
        "Operation": {"Deny": {}},
    }
    st.update(changes)
    return st


def _text(statements: list[dict[str, Any]], **top: Any) -> str:
    return json.dumps({"Name": "p", "Version": "2021-06-01", **top, "Statement": statements}, indent=2)


def _line(text: str, needle: str, nth: int = 0) -> int:
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def _errors(text: str, dialect: str = "sns") -> list[tuple[str | None, int | None]]:
    with pytest.raises(PolicyError) as err:
        compile_model(text, dialect=dialect, source="p.json")
    return [(e.rule, e.line) for e in err.value.all_errors]


def _single(text: str, dialect: str = "sns") -> PolicyError:
    with pytest.raises(PolicyError) as err:
        compile_model(text, dialect=dialect, source="p.json")
    return err.value


def test_three_mistakes_in_three_statements() -> None:
    text = _text(
        [
            _statement(DataDirection="inbound"),
            _statement("NoSuchIdentifier"),
            _statement(Operation={"Deidentify": {"MaskConfig": {"MaskWithCharacter": "##"}}}),
        ]
    )
    with pytest.raises(PolicyError) as err:
        compile_model(text, source="p.json")
    first = err.value
    # The raised one is the one the first mistake alone raises (same message, rule, line and column).
    alone = _single(_text([_statement(DataDirection="inbound"), _statement(), _statement()]))
    assert (first.message, first.rule, first.line, first.column) == (
        alone.message,
        alone.rule,
        alone.line,
        alone.column,
    )
    assert [(e.rule, e.line) for e in first.all_errors] == [
        ("DataDirection", _line(text, '"inbound"')),
        ("DataIdentifier", _line(text, "NoSuchIdentifier")),
        ("MaskWithCharacter", _line(text, '"##"')),
    ]
    assert [e.pointer for e in first.more] == [
        "/Statement/1/DataIdentifier/0",
        "/Statement/2/Operation/Deidentify/MaskConfig/MaskWithCharacter",
    ]
    assert all(e.source == "p.json" for e in first.all_errors)


def test_identifier_and_operation_of_one_statement_are_both_reported() -> None:
    text = _text(
        [
            _statement(
                DataIdentifier=[ARN + "Ssn", ARN + "Address"],
                Operation={"Audit": {"SampleRate": 100, "FindingsDestination": {}}},
            )
        ]
    )
    assert _errors(text) == [
        ("DataIdentifier", _line(text, '"arn:aws:dataprotection::aws:data-identifier/Ssn"')),
        ("SampleRate", _line(text, "100")),
    ]


def test_independent_parts_of_a_statement_and_the_document() -> None:
    text = _text(
        [_statement(Sid=7, Principal=["*", "nobody", "arn:aws:iam::123456789012:group/G"], Extra=1)],
        Description=5,
        Surplus=True,
    )
    assert _errors(text) == [
        ("policy", _line(text, '"Surplus"')),
        ("Description", _line(text, '"Description"')),
        ("Statement", _line(text, '"Extra"')),
        ("Sid", _line(text, '"Sid"')),
        ("Principal", _line(text, '"nobody"')),
        ("Principal", _line(text, ":group/G")),
    ]


def test_each_custom_identifier_is_checked_on_its_own() -> None:
    custom = [
        {"Name": "Bad Name", "Regex": "a+"},
        {"Name": "Good", "Regex": "b+"},
        {"Name": "Ref", "Regex": "(a)\\1"},
    ]
    text = _text([_statement(DataIdentifier=["Good"])], Configuration={"CustomDataIdentifier": custom})
    assert _errors(text) == [
        ("CustomDataIdentifier.Name", _line(text, '"Bad Name"')),
        ("CustomDataIdentifier.Regex", _line(text, '"(a)\\\\1"')),
    ]


def test_a_reference_to_a_failed_custom_identifier_is_no_second_mistake() -> None:
    custom = [{"Name": "EmployeeId", "Regex": "(a)\\1"}]  # a backreference: the definition fails
    text = _text([_statement(DataIdentifier=["EmployeeId"])], Configuration={"CustomDataIdentifier": custom})
    assert _errors(text) == [("CustomDataIdentifier.Regex", _line(text, '"(a)\\\\1"'))]
    # ... but an undefined name beside it is a mistake of its own.
    text = _text(
        [_statement(DataIdentifier=["EmployeeId", "Undefined"])],
        Configuration={"CustomDataIdentifier": custom},
    )
    assert _errors(text) == [
        ("CustomDataIdentifier.Regex", _line(text, '"(a)\\\\1"')),
        ("DataIdentifier", _line(text, '"Undefined"')),
    ]


def test_unreadable_configuration_blames_no_custom_reference() -> None:
    text = _text([_statement(DataIdentifier=["EmployeeId"])], Configuration={"CustomDataIdentifier": {}})
    assert _errors(text) == [("CustomDataIdentifier", _line(text, '"CustomDataIdentifier"'))]


def test_whole_policy_checks_wait_for_the_statements() -> None:
    audit = {"Audit": {"SampleRate": 5, "FindingsDestination": {}}}
    # Two Audits and a third statement whose Operation cannot be read: the Audit count relies on every
    # statement's operation, so it is not checked until that one is fixed.
    text = _text([_statement(Operation=audit), _statement(Operation=audit), _statement(Operation={})])
    assert _errors(text) == [("Operation", _line(text, '"Operation": {}'))]
    # A failed Audit body still counts as an Audit: the count is independent of it.
    bad = {"Audit": {"SampleRate": 500, "FindingsDestination": {}}}
    text = _text([_statement(Operation=bad), _statement(Operation=audit)])
    assert _errors(text) == [
        ("SampleRate", _line(text, "500")),
        ("Audit.count", _line(text, '"DataDirection"', 1) - 1),  # the second statement's "{"
    ]


def test_cloudwatch_logs_shape_waits_for_its_statements() -> None:
    audit = {"Sid": "a", "DataIdentifier": [ARN + "EmailAddress"], "Operation": {"Audit": {}}}
    mask = {"Sid": "m", "DataIdentifier": [ARN + "Nope"], "Operation": {"Deidentify": {"MaskConfig": {}}}}
    text = _text([audit, mask])
    # The Audit lacks FindingsDestination, the Deidentify names an unknown identifier: the two-statement
    # shape (cwl.blocks, cwl.identifiers) relies on both, so it adds nothing.
    assert _errors(text, "cloudwatch-logs") == [
        ("Audit.destination", _line(text, '"Audit"')),
        ("DataIdentifier", _line(text, "Nope")),
    ]


def test_structure_that_cannot_be_read_stops_the_search_below_it() -> None:
    assert _errors('[{"Name": 1}]') == [("policy", 1)]
    text = _text([], Name="")
    text = text.replace('"Statement": []', '"Statement": {"Sid": 7}')
    assert _errors(text) == [("Name", 2), ("Statement", _line(text, '"Statement"'))]


def test_lint_reports_each_mistake_of_a_policy_at_its_line(tmp_path: Path) -> None:
    from tamis.lint import lint

    text = _text(
        [
            _statement(DataDirection="inbound"),
            _statement("NoSuchIdentifier", Operation={"Deny": {"x": 1}}),
        ]
    )
    (tmp_path / "data-protection-policy.json").write_text(text, encoding="utf-8")
    found = sorted((d.code, d.line) for d in lint(None, cwd=tmp_path).diagnostics)
    assert found == sorted(
        [
            ("DP202", _line(text, '"inbound"')),
            ("DP204", _line(text, "NoSuchIdentifier")),
            ("DP215", _line(text, '"x"')),
        ]
    )


def test_too_many_custom_identifiers_blames_no_custom_reference() -> None:
    custom = [{"Name": f"Id{i}", "Regex": f"X{i}-\\d{{4}}"} for i in range(11)]
    text = _text(
        [_statement(DataIdentifier=["Id0", "Elsewhere"])], Configuration={"CustomDataIdentifier": custom}
    )
    assert _errors(text) == [("CustomDataIdentifier.count", _line(text, '"Id10"') - 1)]


def test_another_language_version_stops_the_search_below_it() -> None:
    # An IAM policy's Version: its statements are not read as data-protection statements.
    text = _text([{"Effect": "Allow", "Action": "sns:Publish"}], Version="2012-10-17", Surplus=1)
    assert _errors(text) == [("policy", _line(text, '"Surplus"')), ("Version", _line(text, '"2012-10-17"'))]


def test_a_statement_without_direction_and_principal_is_one_mistake() -> None:
    # The CloudWatch Logs shape given as SNS: one mistake, named by the first missing key.
    st = {"DataIdentifier": [ARN + "EmailAddress"], "Operation": {"Deny": {}}}
    text = _text([st, _statement(Principal=["nobody"])])
    assert _errors(text) == [("DataDirection", _line(text, "{", 1)), ("Principal", _line(text, '"nobody"'))]
    # With a DataDirection, a missing Principal is a mistake of its own, beside the next one.
    st = {k: v for k, v in _statement("Nope").items() if k != "Principal"}
    text = _text([st])
    assert _errors(text) == [("Principal", _line(text, "{", 1)), ("DataIdentifier", _line(text, "Nope"))]


def test_a_failed_custom_name_blames_no_undefined_custom_reference() -> None:
    # "Employee Id" is not a valid Name; the statement's "EmployeeId" may be the name the author meant.
    custom = [{"Name": "Employee Id", "Regex": "E-\\d{4}"}]
    text = _text([_statement(DataIdentifier=["EmployeeId"])], Configuration={"CustomDataIdentifier": custom})
    assert _errors(text) == [("CustomDataIdentifier.Name", _line(text, '"Employee Id"'))]
