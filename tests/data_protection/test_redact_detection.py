"""Managed identifier detection: the labelled corpus, keyword windows, checks, every identifier."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from support.identifier_examples import EXAMPLES
from support.shared import shared_path

import tamis
from tamis.compiler.data_protection.managed.catalogue import MANAGED_TABLE
from tamis.compiler.data_protection.managed.detectors import detectors_for
from tamis.compiler.data_protection.managed.patterns import NOT_DETECTED_LOCALLY
from tamis.policies import Finding

ARN = "arn:aws:dataprotection::aws:data-identifier/"
EMPLOYEE_ID = "EID-\\d{9}-US"  # the corpus' custom identifier (seed scenario)


def _scan_policy(*identifiers: str, custom: dict[str, str] | None = None) -> tamis.Policy:
    refs = [i if custom and i in custom else ARN + i for i in identifiers]
    doc: dict = {
        "Name": "scan",
        "Version": "2021-06-01",
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": refs,
                "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
            }
        ],
    }
    if custom:
        doc["Configuration"] = {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in custom.items()]}
    return tamis.compile_policy(doc)


def test_detection_corpus_precision_recall_and_near_misses() -> None:
    path = shared_path("data_protection", "detection_corpus.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    labelled = sorted({f["identifier"] for r in rows for f in r["findings"]} - {"MyCompanyEmployeeId"})
    pol = _scan_policy(*labelled, "MyCompanyEmployeeId", custom={"MyCompanyEmployeeId": EMPLOYEE_ID})
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    near_reported = []
    for row in rows:
        got = {(f.identifier, f.start, f.end) for f in pol.scan(row["text"])}
        want = {(f["identifier"], f["start"], f["end"]) for f in row["findings"]}
        near = {(f["identifier"], f["start"], f["end"]) for f in row["near_misses"]}
        tp.update(g[0] for g in got & want)
        fp.update(g[0] for g in got - want)
        fn.update(g[0] for g in want - got)
        near_reported += [(row["id"], g) for g in got & near]
    lines = []
    for name in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[name] / max(1, tp[name] + fp[name])
        r = tp[name] / max(1, tp[name] + fn[name])
        lines.append(f"{name:30s} tp={tp[name]:4d} fp={fp[name]:3d} fn={fn[name]:3d} P={p:.3f} R={r:.3f}")
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = total_tp / (total_tp + total_fp)
    recall = total_tp / (total_tp + total_fn)
    print("\n".join(lines), f"\nTOTAL P={precision:.4f} R={recall:.4f}")
    assert near_reported == []
    assert precision >= 0.99 and recall >= 0.99, "\n".join(lines)
    assert total_tp >= 700  # the whole labelled corpus was scanned, not a slice


def test_every_managed_identifier_is_known_and_detectable_or_flagged() -> None:
    assert len(MANAGED_TABLE) == 101
    for name in MANAGED_TABLE:
        if name in NOT_DETECTED_LOCALLY:
            assert detectors_for(name) == ()
        else:
            assert detectors_for(name), name
            assert name in EXAMPLES or name.startswith("DriversLicense-"), name


@pytest.mark.parametrize("name", sorted(n for n in MANAGED_TABLE if n not in NOT_DETECTED_LOCALLY))
def test_each_managed_identifier_finds_its_example_next_to_a_keyword(name: str) -> None:
    value = EXAMPLES.get(name, "D1234567")  # drivers' licences: formats undocumented, generic shape
    keyword = MANAGED_TABLE[name][4][0] if MANAGED_TABLE[name][4] else "value"
    text = f"{keyword}: {value}\nok"
    start = text.index(value)
    found = _scan_policy(name).scan(text)
    assert Finding(name, start, start + len(value)) in found, (name, found)
    if MANAGED_TABLE[name][2]:  # keyword required: the bare value alone is not reported
        far = "x " * 40 + value
        assert _scan_policy(name).scan(far) == [], name


@pytest.mark.parametrize(
    "text",
    [
        "Credit Card Number 4539894458086459",
        "CREDIT-CARD: 4539894458086459",
        '{"credit_card_number":"4539894458086459"}',
        '{"creditCardNumber":"4539894458086459"}',
        "4539894458086459 was the card",
        "card number: 4539-8944-5808-6459",
    ],
)
def test_keyword_variants_case_and_separators(text: str) -> None:
    (f,) = _scan_policy("CreditCardNumber").scan(text)
    assert f.identifier == "CreditCardNumber" and text[f.start : f.end].replace("-", "") == "4539894458086459"


def test_keyword_window_is_30_characters_inclusive() -> None:
    pol = _scan_policy("Ssn-US")
    assert pol.scan("ssn" + "." * 30 + "123-45-6789") == [Finding("Ssn-US", 33, 44)]
    assert pol.scan("ssn" + "." * 31 + "123-45-6789") == []
    assert pol.scan("company 123-45-6789") == []  # "ssn"-like letters inside a word do not count


def test_credit_card_checks() -> None:
    pol = _scan_policy("CreditCardNumber")
    assert pol.scan("card 4539894458086458") == []  # Luhn fails
    assert pol.scan("card 4111111111111111") == []  # issuer test number, never reported
    assert pol.scan("card 5555555555554444") == []
    assert pol.scan("card 9539894458086451") == []  # no issuer prefix starts with 9
    assert len(pol.scan("card 378282246310006 / card 371449635398432")) == 0
    assert len(pol.scan("card 4532015112830366")) == 1


def test_vin_check_digit_for_north_american_manufacturers() -> None:
    pol = _scan_policy("VehicleIdentificationNumber")
    assert len(pol.scan("vin 1HGCM82633A004352")) == 1
    assert pol.scan("vin 1HGCM82643A004352") == []  # wrong check digit (position 9)
    assert pol.scan("vin 1HGCM82633A00435") == []  # 16 characters
    assert pol.scan("vin 1HGCM8263OA004352") == []  # letter O is never used


def test_phone_numbers_need_a_country_code_or_a_keyword() -> None:
    pol = _scan_policy("PhoneNumber", "PhoneNumber-US")
    assert [f.identifier for f in pol.scan("call +44 20 7946 0958 now")] == ["PhoneNumber"]
    assert pol.scan("ticket 480-483-2125 escalated") == []  # no keyword, no country code
    assert {f.identifier for f in pol.scan("phone 480-483-2125")} == {"PhoneNumber", "PhoneNumber-US"}
    assert pol.scan("the form had 000-26-6961 on it") == []  # "00" + "0" is no international prefix


def test_keywords_start_words_in_any_script() -> None:
    assert _scan_policy("PhoneNumber-US").scan("hotel 480-483-2125") == []  # "tel" inside "hotel"
    assert len(_scan_policy("PhoneNumber-US").scan("tel 480-483-2125")) == 1
    assert len(_scan_policy("CreditCardNumber").scan("—card 4539894458086459")) == 1
    text = "x шофьорска книжка D1234567"
    (f,) = _scan_policy("DriversLicense-BG").scan(text)
    assert text[f.start : f.end] == "D1234567"
