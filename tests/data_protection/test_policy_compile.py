"""Data-protection policies: every documented rule, located errors, both dialects."""

from __future__ import annotations

import json

import pytest
from support.shared import shared_path

import tamis
from tamis.compiler.data_protection.custom_identifiers import check_custom_regex
from tamis.compiler.data_protection.policy import MAX_POLICY_CHARS

# The rule each invalid policy of the shared corpus breaks, by id (from its stated reason).
EXPECTED_RULE = {
    "version-wrong": "Version",
    "version-missing": "Version",
    "name-missing": "Name",
    "statement-missing": "Statement",
    "statement-empty": "Statement",
    "statement-not-array": "Statement",
    "two-audit-statements": "Audit.count",
    "samplerate-100": "SampleRate",
    "samplerate-negative": "SampleRate",
    "samplerate-not-integer": "SampleRate",
    "audit-no-destination": "Audit.destination",
    "audit-loggroup-not-vendedlogs": "LogGroup",
    "deidentify-empty": "Deidentify",
    "deidentify-both-configs": "Deidentify",
    "mask-two-chars": "MaskWithCharacter",
    "mask-empty-char": "MaskWithCharacter",
    "mask-non-ascii-char": "MaskWithCharacter",
    "redact-config-not-empty": "RedactConfig",
    "deny-not-empty": "Deny",
    "operation-two-ops": "Operation",
    "operation-empty": "Operation",
    "operation-unknown": "Operation",
    "direction-invalid": "DataDirection",
    "direction-lowercase": "DataDirection",
    "direction-missing": "DataDirection",
    "principal-missing": "Principal",
    "principal-empty": "Principal",
    "principal-not-arn": "Principal",
    "principal-group-arn": "Principal",
    "dataidentifier-empty": "DataIdentifier",
    "dataidentifier-unknown-managed": "DataIdentifier",
    "dataidentifier-missing-country": "DataIdentifier",
    "dataidentifier-unsupported-country": "DataIdentifier",
    "dataidentifier-lowercase-country": "DataIdentifier",
    "dataidentifier-undefined-custom": "DataIdentifier",
    "dataidentifier-bad-arn-partition": "DataIdentifier",
    "cdi-eleven": "CustomDataIdentifier.count",
    "cdi-name-space": "CustomDataIdentifier.Name",
    "cdi-name-dot": "CustomDataIdentifier.Name",
    "cdi-name-129": "CustomDataIdentifier.Name",
    "cdi-name-shadows-managed": "CustomDataIdentifier.Name",
    "cdi-duplicate-names": "CustomDataIdentifier.Name",
    "cdi-regex-201": "CustomDataIdentifier.Regex",
    "cdi-regex-empty": "CustomDataIdentifier.Regex",
    "cdi-regex-backreference": "CustomDataIdentifier.Regex",
    "cdi-regex-lookahead": "CustomDataIdentifier.Regex",
    "cdi-regex-unterminated-class": "CustomDataIdentifier.Regex",
    "cdi-regex-disallowed-char": "CustomDataIdentifier.Regex",
    "cdi-regex-repeat-1001": "CustomDataIdentifier.Regex",
    "cdi-missing-regex": "CustomDataIdentifier.Regex",
    "policy-too-large": "size",
    "json-trailing-comma": "json",
    "cwl-mask-with-character": "cwl.MaskConfig",
    "cwl-identifier-arrays-differ": "cwl.identifiers",
    "cwl-missing-audit": "cwl.blocks",
    "cwl-audit-without-findingsdestination": "Audit.destination",
    "cwl-redact-config": "cwl.MaskConfig",
    "cwl-deny": "cwl.Deny",
}
# Words the message must contain, so the error explains the stated reason (not just any failure).
EXPECTED_WORDS = {
    "cdi-regex-backreference": "backreference",
    "cdi-regex-lookahead": "lookahead",
    "cdi-regex-unterminated-class": "unterminated",
    "cdi-regex-repeat-1001": "1001",
    "cdi-regex-disallowed-char": "character set",
    "cdi-name-shadows-managed": "managed",
    "cdi-duplicate-names": "twice",
    "dataidentifier-missing-country": "country",
    "dataidentifier-lowercase-country": "upper case",
    "samplerate-100": "99",
}


def _invalid_cases() -> list[dict]:
    path = shared_path("data_protection", "policies", "invalid_policies.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dialect(case: dict) -> str:
    return "cloudwatch-logs" if case.get("service") == "cwl" else "sns"


def test_every_invalid_policy_is_rejected_for_its_stated_reason() -> None:
    cases = _invalid_cases()
    assert {c["id"] for c in cases} == set(EXPECTED_RULE), "corpus and expectations differ"
    for case in cases:
        text = case.get("policy_text") or json.dumps(case["policy"], indent=2)
        with pytest.raises(tamis.PolicyError) as info:
            tamis.compile_policy(text, dialect=_dialect(case), source=case["id"])
        err = info.value
        assert err.rule == EXPECTED_RULE[case["id"]], (case["id"], str(err))
        assert err.line is not None and err.column is not None, case["id"]
        assert str(err).startswith(f"{case['id']}:{err.line}:{err.column}: ")
        word = EXPECTED_WORDS.get(case["id"])
        if word:
            assert word in err.message, (case["id"], err.message)


def test_invalid_policies_given_as_dicts_are_rejected_with_a_pointer() -> None:
    for case in _invalid_cases():
        if "policy" not in case or case["id"] == "policy-too-large":
            continue
        with pytest.raises(tamis.PolicyError) as info:
            tamis.compile_policy(case["policy"], dialect=_dialect(case))
        assert info.value.rule == EXPECTED_RULE[case["id"]], case["id"]
        assert info.value.line is None  # a dict has no text positions ...
        assert info.value.pointer is not None  # ... but the JSON pointer says where


def test_error_points_at_the_offending_value() -> None:
    text = '{\n  "Name": "p",\n  "Version": "2012-10-17",\n  "Statement": []\n}'
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy(text)
    assert (info.value.line, info.value.column) == (3, 14)
    assert "2021-06-01" in info.value.message


def test_every_valid_shared_policy_compiles() -> None:
    index = json.loads(shared_path("data_protection", "policies", "index.json").read_text(encoding="utf-8"))
    for entry in index["valid_policies"]:
        text = shared_path("data_protection", "policies", entry["file"]).read_text(encoding="utf-8")
        dialect = "cloudwatch-logs" if entry["service"] == "cwl" else "sns"
        pol = tamis.compile_policy(text, dialect=dialect, source=entry["file"])
        assert pol.identifiers, entry["file"]


def _sns(statements: list[dict], custom: list[dict] | None = None) -> dict:
    policy: dict = {"Name": "p", "Version": "2021-06-01", "Statement": statements}
    if custom is not None:
        policy["Configuration"] = {"CustomDataIdentifier": custom}
    return policy


def _mask(*idents: str, principal: str = "*", direction: str = "Inbound") -> dict:
    return {
        "DataDirection": direction,
        "Principal": [principal],
        "DataIdentifier": list(idents),
        "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
    }


ARN = "arn:aws:dataprotection::aws:data-identifier/"


def test_size_limit_is_30720_characters() -> None:
    base = json.dumps(_sns([_mask(ARN + "EmailAddress")]))
    exact = base[:-1] + " " * (MAX_POLICY_CHARS - len(base)) + "}"
    assert len(exact) == MAX_POLICY_CHARS
    tamis.compile_policy(exact)
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy(exact[:-1] + " }")
    assert info.value.rule == "size"


def test_custom_identifier_boundaries_accepted() -> None:
    custom = [{"Name": "N" * 128, "Regex": "A" * 200}] + [
        {"Name": f"Id{i}", "Regex": f"X{i}-\\d{{4}}"} for i in range(9)
    ]
    pol = tamis.compile_policy(_sns([_mask("N" * 128, "Id0")], custom))
    assert pol.identifiers == ["N" * 128, "Id0"]
    assert any(d.code == "DP503" for d in pol.diagnostics)  # Id1..Id8 are defined but unused


def test_name_and_address_are_accepted_and_reported_as_not_detected_locally() -> None:
    pol = tamis.compile_policy(_sns([_mask(ARN + "Name", ARN + "Address")]))
    codes = [(d.code, d.message.split()[0]) for d in pol.diagnostics]
    assert ("DP501", "Name") in codes and ("DP501", "Address") in codes


def test_unknown_dialect_and_duplicate_keys() -> None:
    with pytest.raises(ValueError):
        tamis.compile_policy(_sns([_mask(ARN + "EmailAddress")]), dialect="sqs")
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy('{"Name": "a", "Name": "b", "Version": "2021-06-01", "Statement": []}')
    assert info.value.rule == "json" and info.value.column == 15  # the second "Name"


def test_cloudwatch_logs_rejects_sns_only_keys() -> None:
    pol = {
        "Name": "c",
        "Version": "2021-06-01",
        "Statement": [
            {"DataIdentifier": [ARN + "EmailAddress"], "Operation": {"Audit": {"FindingsDestination": {}}}},
            {
                "DataIdentifier": [ARN + "EmailAddress"],
                "DataDirection": "Inbound",
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy(json.dumps(pol, indent=1), dialect="cloudwatch-logs")
    assert "DataDirection" in info.value.message


@pytest.mark.parametrize(
    ("regex", "words"),
    [
        ("EID-(?=\\d)", "lookahead"),
        ("a(?<=b)", "lookbehind"),
        ("a++", "++"),
        ("\\u00e9", "\\x{e9}"),
        ("a{,3}", "{0,n}"),
        ("a{1001}", "1000"),
        ("[a-z]*", "empty text"),
        ("a\\Z", "\\Z"),
        ("x{2,1}", "RE2"),
        ("\\pL{500}" * 1, "too large"),
        ("A(B)", "character set"),
    ],
)
def test_regex_guardrails_explain_and_suggest(regex: str, words: str) -> None:
    with pytest.raises(tamis.PolicyError) as info:
        check_custom_regex(regex, max_mem=1 << 20)
    assert words in info.value.message
    assert info.value.rule == "CustomDataIdentifier.Regex"


def test_regex_guardrails_accept_documented_forms() -> None:
    for regex in ("EID-\\d{9}-US", "[A-Z]{2}#\\d+", "^abc$", "a|b", "x@y\\.com", "\\d{3} \\d{4}"):
        assert check_custom_regex(regex) == regex


def test_sns_audit_needs_a_sample_rate() -> None:
    audit = {"FindingsDestination": {"S3": {"Bucket": "b"}}}
    st = {"DataDirection": "Inbound", "Principal": ["*"], "DataIdentifier": [ARN + "EmailAddress"]}
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy(_sns([{**st, "Operation": {"Audit": audit}}]))
    assert info.value.rule == "SampleRate"
    for rate in (0, "0", 99, "99"):
        tamis.compile_policy(_sns([{**st, "Operation": {"Audit": {"SampleRate": rate, **audit}}}]))
