"""Property tests: the redactor against the naive reference, JSON validity, no crash on any input."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from support.reference_redactor import reference_deidentify, reference_scan

import tamis

ARN = "arn:aws:dataprotection::aws:data-identifier/"
IDENTS = ["CreditCardNumber", "EmailAddress", "Ssn-US", "IpAddress", "PhoneNumber-US", "AwsSecretKey"]
CUSTOM = {"EmployeeId": "EID-\\d{9}-US", "Ticket": "T#[0-9]{4}"}

SENSITIVE = st.sampled_from(
    [
        "card number 4539894458086459",
        "card 4532015112830366",
        "bob.smith@example.com",
        "x@y.org",
        "ssn 123-45-6789",
        "SSN: 385-22-4008",
        "10.0.0.254",
        "phone (480) 483-2125",
        "EID-123456789-US",
        "T#0042",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ]
)
FILLER = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
MESSAGES = st.lists(st.one_of(SENSITIVE, FILLER), max_size=8).map(" ".join)


def _policy(op: dict, extra: dict | None = None) -> tamis.Policy:
    statements = [
        {
            "DataDirection": "Inbound",
            "Principal": ["*"],
            "DataIdentifier": [ARN + i for i in IDENTS[:3]] + ["EmployeeId"],
            "Operation": op,
        },
        {
            "DataDirection": "Inbound",
            "Principal": ["*"],
            "DataIdentifier": [ARN + i for i in IDENTS[3:]] + ["Ticket"],
            "Operation": extra or op,
        },
    ]
    return tamis.compile_policy(
        {
            "Name": "props",
            "Version": "2021-06-01",
            "Configuration": {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in CUSTOM.items()]},
            "Statement": statements,
        }
    )


MASK = {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}
MASK_STAR = {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "*"}}}
REDACT = {"Deidentify": {"RedactConfig": {}}}
MASKER, REDACTOR, MIXED = _policy(MASK), _policy(REDACT), _policy(MASK_STAR, REDACT)
OPS_MASK = {i: ("mask", "#") for i in [*IDENTS, *CUSTOM]}
OPS_REDACT = {i: ("redact", "") for i in [*IDENTS, *CUSTOM]}
OPS_MIXED = {
    **{i: ("mask", "*") for i in [*IDENTS[:3], "EmployeeId"]},
    **{i: ("redact", "") for i in [*IDENTS[3:], "Ticket"]},
}


def _plain(text: str) -> bool:
    return text.lstrip()[:1] not in ("{", "[")


@given(MESSAGES)
def test_mask_keeps_length_and_matches_the_reference(text: str) -> None:
    out = MASKER.apply(text, direction="Inbound")
    assert out.message is not None and len(out.message) == len(text)
    for f in out.findings:  # every character of every finding is masked
        assert set(out.message[f.start : f.end]) == {"#"}
    if _plain(text):
        expected = reference_deidentify(text, [tuple(f) for f in out.findings], OPS_MASK)
        assert out.message == expected


@given(MESSAGES)
def test_redact_and_mixed_operations_match_the_reference(text: str) -> None:
    for pol, ops in ((REDACTOR, OPS_REDACT), (MIXED, OPS_MIXED)):
        out = pol.apply(text, direction="Inbound")
        assert out.message is not None
        if _plain(text):
            assert out.message == reference_deidentify(text, [tuple(f) for f in out.findings], ops)


@given(MESSAGES)
def test_no_detected_value_survives_masking(text: str) -> None:
    values = {text[f.start : f.end] for f in MASKER.scan(text)}
    out = MASKER.apply(text, direction="Inbound").message
    assert out is not None
    leftovers = {out[f.start : f.end] for f in MASKER.scan(out)}
    assert not (values & leftovers)


JSON_LEAVES = st.one_of(
    SENSITIVE,
    FILLER,
    st.integers(),
    st.sampled_from([4539894458086459, 4532015112830366, 123456789]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["card", "credit_card_number", "ssn", "email", "note", "é"]), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


@given(JSON_VALUES.filter(lambda v: isinstance(v, dict | list)), st.booleans())
def test_json_stays_valid(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    for pol in (MASKER, REDACTOR, MIXED):
        out = pol.apply(text, direction="Inbound")
        assert out.message is not None
        json.loads(out.message)
    assert len(MASKER.apply(text, direction="Inbound").message or "") == len(text)


@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    for pol in (MASKER, REDACTOR, MIXED):
        out = pol.apply(text, direction="Inbound")
        assert out.message is not None
        for f in out.findings:
            assert 0 <= f.start < f.end <= len(text)


POLICY_KEYS = st.sampled_from(
    [
        "Name",
        "Version",
        "Statement",
        "Configuration",
        "DataDirection",
        "Principal",
        "DataIdentifier",
        "Operation",
        "Audit",
        "Deny",
        "Deidentify",
        "MaskConfig",
        "RedactConfig",
        "SampleRate",
        "CustomDataIdentifier",
        "Regex",
        "Sid",
    ]
)
POLICY_LEAVES = st.one_of(
    st.sampled_from(
        ["2021-06-01", "Inbound", "Outbound", "*", ARN + "EmailAddress", "#", "99", "EID-\\d{3}"]
    ),
    st.text(max_size=10),
    st.integers(-5, 200),
    st.none(),
    st.booleans(),
)
POLICIES = st.recursive(
    POLICY_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(POLICY_KEYS, inner, max_size=5)),
    max_leaves=25,
)


@given(POLICIES, st.sampled_from(["sns", "cloudwatch-logs"]))
def test_arbitrary_policies_fail_cleanly(doc: object, dialect: str) -> None:
    forms: list[str | dict] = [json.dumps(doc)] + ([doc] if isinstance(doc, dict) else [])
    for form in forms:
        try:
            pol = tamis.compile_policy(form, dialect=dialect)
        except tamis.PolicyError as exc:
            assert exc.message and exc.rule
        else:
            pol.scan("bob@example.com 4539894458086459")


@given(st.text(alphabet="EID-\\d{}[]^$?|*+.,#=@/;_ aZ09()!:", max_size=30))
def test_arbitrary_custom_regexes_compile_or_fail_cleanly(regex: str) -> None:
    doc = {
        "Name": "r",
        "Version": "2021-06-01",
        "Configuration": {"CustomDataIdentifier": [{"Name": "C", "Regex": regex}]},
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": ["C"],
                "Operation": {"Deny": {}},
            }
        ],
    }
    try:
        pol = tamis.compile_policy(json.dumps(doc, indent=1))
    except tamis.PolicyError as exc:
        assert exc.line is not None and exc.rule == "CustomDataIdentifier.Regex"
        return
    for f in pol.scan("EID-123 ab, Z09 #x@y/z;" * 3):
        assert f.start < f.end


@given(st.text(max_size=300))
def test_arbitrary_policy_text_fails_cleanly(text: str) -> None:
    try:
        tamis.compile_policy(text)
    except tamis.PolicyError as exc:
        assert exc.line is not None


KEYWORDY = st.sampled_from(
    ["card", "Card Number", "credit_card_number", "cvv", "expiry", "SSN", "zip code", "hotel", "phone", "vin"]
)
ESCAPES = st.sampled_from(["\\n", "\\\\", "\\u00e9", '\\"', "\\t", "\\u12", "\\x"])
NOISY = st.lists(
    st.one_of(SENSITIVE, FILLER, KEYWORDY, ESCAPES, st.sampled_from(["12/27", "998", "98101", "-", "_"]))
)


@given(st.tuples(NOISY, st.sampled_from([" ", ""])).map(lambda t: t[1].join(t[0])))
def test_scanner_matches_the_plain_reference(text: str) -> None:
    scanner = WIDE._redactor.scanner
    assert {tuple(f) for f in scanner.scan(text)} == reference_scan(text, list(scanner.detectors))


WIDE = tamis.compile_policy(
    {
        "Name": "wide",
        "Version": "2021-06-01",
        "Configuration": {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in CUSTOM.items()]},
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": [
                    ARN + i
                    for i in (
                        *IDENTS,
                        "CreditCardSecurityCode",
                        "CreditCardExpiration",
                        "ZipCode-US",
                        "VehicleIdentificationNumber",
                        "PhoneNumber",
                    )
                ]
                + list(CUSTOM),
                "Operation": {"Deny": {}},
            }
        ],
    }
)
