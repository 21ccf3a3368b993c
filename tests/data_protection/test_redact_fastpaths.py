"""The redactor's fast paths against the plain forms they replace (same results, only faster).

Each fast path keeps its general form in the runtime (the non-ASCII keyword pass, the Luhn loop, the
digit filter, the JSON rewrite); these properties drive both over the same inputs.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

import tamis
from tamis.runtime.redact import checks, json_rewrite, redactor, search

ARN = "arn:aws:dataprotection::aws:data-identifier/"
MANAGED = [
    "CreditCardNumber",
    "CreditCardSecurityCode",
    "CreditCardExpiration",
    "EmailAddress",
    "IpAddress",
    "Ssn-US",
    "PhoneNumber-US",
    "AwsSecretKey",
    "ZipCode-US",
    "VehicleIdentificationNumber",
]
SUBSCRIBER = "arn:aws:iam::123456789012:role/Reporting"


def _policy(principals: list[str], op: dict | None = None) -> tamis.Policy:
    return tamis.compile_policy(
        {
            "Name": "fastpaths",
            "Version": "2021-06-01",
            "Configuration": {"CustomDataIdentifier": [{"Name": "EmployeeId", "Regex": "EID-\\d{9}-US"}]},
            "Statement": [
                {
                    "DataDirection": "Outbound",
                    "Principal": principals,
                    "DataIdentifier": [ARN + n for n in MANAGED] + ["EmployeeId"],
                    "Operation": op or {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
                }
            ],
        }
    )


POLICY = _policy([SUBSCRIBER])
SCANNER = POLICY._redactor.scanner

VALUES = st.sampled_from(
    [
        "4539894458086459",
        "card number 4532015112830366",
        "cvv 123",
        "expiry 04/27",
        "bob.smith@example.com",
        "10.0.0.254",
        "ssn 385-22-4008",
        "SSN: 123-45-6789",
        "phone (480) 483-2125",
        "zip code 98101",
        "zip_code",
        "creditCardNumber",
        "card_numbercard 4539894458086459",
        "aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "VIN 1HGCM82633A004352",
        "EID-123456789-US",
        "1518.33",
        "\\n",
        '\\"',
        "\\u00e9",
    ]
)
ASCII_FILLER = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=10)
ASCII_TEXT = st.lists(st.one_of(VALUES, ASCII_FILLER), max_size=10).map(" ".join)


@given(ASCII_TEXT)
def test_ascii_keyword_pass_matches_the_general_one(text: str) -> None:
    data = text.encode()
    fast = SCANNER._keyword_hits(text, data, None)  # ASCII: the inlined pass
    general = SCANNER._keyword_hits(text, data, lambda b: b)  # the byte -> character mapping path
    assert fast == general


@given(ASCII_TEXT)
def test_keyword_spelling_memo_does_not_change_hits(text: str) -> None:
    data = text.encode()
    first = SCANNER._keyword_hits(text, data, None)
    fresh = _policy([SUBSCRIBER])._redactor.scanner  # empty memo
    assert fresh._keyword_hits(text, data, None) == first
    assert SCANNER._keyword_hits(text, data, None) == first  # memo filled by the first call


def _luhn_definition(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@given(st.text(alphabet="0123456789", max_size=25) | st.text(alphabet="0123456789\u0663\u00b2", max_size=8))
def test_luhn_fast_form_agrees_with_its_definition(digits: str) -> None:
    assert checks.luhn_ok(digits) == _luhn_definition(digits)


@given(st.text(alphabet="0123456789 -.()/+x\u0663\u00b2", max_size=20))
def test_digit_extraction_agrees_with_the_character_filter(value: str) -> None:
    assert checks.digits_of(value) == "".join(ch for ch in value if ch.isdigit())


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 6)), max_size=6),
)
def test_spans_into_agrees_with_finditer_spans(text: str, windows: list[tuple[int, int]]) -> None:
    data = text.encode("utf-8", "surrogatepass")
    for plan in SCANNER._plans:
        if plan.match is None:
            continue
        for lo, width in [(0, len(data)), *windows]:
            lo, hi = min(lo, len(data)), min(lo + width, len(data))
            got: list[tuple[int, int]] = []
            search.spans_into(plan.match, data, plan.group, lo, hi, got)
            assert got == search.finditer_spans(plan.regex, data, plan.group, lo, hi)


def _old_rewrite(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The decision before the shortcut: validate the JSON first, always."""
    if message.lstrip()[:1] in ("{", "[") and json_rewrite.is_json(message):
        return json_rewrite._rewrite_json(message, spans)
    return json_rewrite.splice(message, spans)


JSON_SCALARS = st.one_of(
    VALUES,
    ASCII_FILLER,
    st.integers(0, 10**17),
    st.sampled_from([4539894458086459, 1518.33, 98101, 385224008]),
)
JSON_DOCS = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.one_of(VALUES, ASCII_FILLER), inner, max_size=4)
    ),
    max_leaves=10,
)


@given(JSON_DOCS, st.booleans(), st.sampled_from(["mask", "redact"]))
def test_rewrite_shortcut_gives_the_validated_result(doc: object, raw_unicode: bool, op: str) -> None:
    message = json.dumps(doc, ensure_ascii=not raw_unicode)
    for broken in (message, message[:-1]):  # valid JSON, and the same text no longer JSON
        found = SCANNER.scan(broken)
        spans = redactor.merged_spans(found, dict.fromkeys({f.identifier for f in found}, (op, "#")))
        if spans:
            assert json_rewrite.rewrite(broken, spans) == _old_rewrite(broken, spans)


@given(ASCII_TEXT)
def test_rules_cached_per_caller_match_a_fresh_policy(text: str) -> None:
    shared = _policy([SUBSCRIBER, "arn:aws:iam::123456789012:role/Other"])
    message = json.dumps({"note": text})
    # interleave callers on one policy; each answer must equal a policy that never saw another caller
    for principal in (SUBSCRIBER, "arn:aws:iam::123456789012:role/Nobody", SUBSCRIBER, None):
        got = shared.apply(message, direction="Outbound", principal=principal)
        fresh = _policy([SUBSCRIBER, "arn:aws:iam::123456789012:role/Other"])
        want = fresh.apply(message, direction="Outbound", principal=principal)
        assert (got.message, got.findings, got.action) == (want.message, want.findings, want.action)
    inbound = shared.apply(message, direction="Inbound", principal=SUBSCRIBER)
    assert inbound.message == message and inbound.findings == []


def test_rules_cache_stays_bounded_and_correct() -> None:
    pol = _policy(["*"])
    message = '{"card_number": "4539894458086459"}'
    for k in range(redactor._PLAN_CACHE + 5):
        out = pol.apply(message, direction="Outbound", principal=f"arn:aws:iam::123456789012:role/R{k}")
        assert out.message == '{"card_number": "################"}'
    assert len(pol._redactor._plans) <= redactor._PLAN_CACHE


@given(ASCII_TEXT)
def test_generic_iterator_fallback_finds_the_same(text: str) -> None:
    # Without the binding's raw RE2 object the scanner falls back to the generic iterator.
    fallback = _policy([SUBSCRIBER])._redactor.scanner
    fallback._plans = tuple(p._replace(match=None) for p in fallback._plans)
    assert fallback.scan(text) == SCANNER.scan(text)


def _ipv4_definition(text: str, start: int, end: int) -> bool:
    parts = text[start:end].split(".")
    after = text[end : end + 2]
    if (
        len(parts) != 4
        or (after[:1] == "." and after[1:2].isdigit())
        or text[max(0, start - 1) : start] == "."
    ):
        return False
    return all(len(p) <= 3 and int(p) <= 255 and (p == "0" or not p.startswith("0")) for p in parts)


@given(
    st.lists(st.integers(0, 999).map(str) | st.sampled_from(["00", "01", "007", "0"]), min_size=3, max_size=5)
)
def test_ipv4_check_agrees_with_its_definition(octets: list[str]) -> None:
    for text in (".".join(octets), "x." + ".".join(octets) + ".5", " " + ".".join(octets) + " "):
        value = ".".join(octets)
        start = text.index(value)
        assert checks.check_ipv4(text, start, start + len(value)) == _ipv4_definition(
            text, start, start + len(value)
        )
