"""End-to-end behaviour: the shared conformance cases, precedence, overlaps, audit, JSON safety."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import orjson
import pytest
from support.shared import shared_path

import tamis
from tamis.policies import Finding

ARN = "arn:aws:dataprotection::aws:data-identifier/"
ROLE = "arn:aws:iam::123456789012:role/ReportingApplicationRole"


def _cases() -> list[dict]:
    path = shared_path("data_protection", "policies", "conformance_cases.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _policy_text(name: str) -> str:
    return shared_path("data_protection", "policies", name).read_text(encoding="utf-8")


def test_conformance_cases_hold_exactly() -> None:
    cases = _cases()
    assert len(cases) >= 9
    for case in cases:
        pol = tamis.compile_policy(_policy_text(case["policy"]), dialect="sns", source=case["policy"])
        out = pol.apply(case["input"], direction=case["direction"], principal=case["principal"])
        exp = case["expected"]
        assert out.action == exp["action"], case["id"]
        if "output" in exp:
            assert out.message == exp["output"], case["id"]
            assert not out.denied
        if exp["action"] in ("reject", "drop_delivery"):
            assert out.denied and out.message is None
            assert out.error is not None and out.error.code == "AuthorizationError"
            assert out.error.http_status == exp.get("http_status", exp.get("delivery_status"))


def test_seed_scenario_two_subscribers_get_different_payloads() -> None:
    pol = tamis.compile_policy(_policy_text("sns_seed_mask_outbound_reporting_role.json"))
    msg = (
        '{"payment":{"credit_card_number":"4539894458086459"},"reviewer":{"employee_id":"EID-123456789-US"},'
        '"contractor":{"employee_id":"CID-000012348-CA"}}'
    )
    reporting = pol.apply(msg, direction="Outbound", principal=ROLE)
    assert reporting.message is not None and reporting.message.count("#" * 16) == 2
    assert "CID-000012348-CA" in reporting.message and "4539894458086459" not in reporting.message
    assert reporting.findings == [Finding("CreditCardNumber", 34, 50), Finding("MyCompanyEmployeeId", 80, 96)]
    other = pol.apply(
        msg, direction="Outbound", principal="arn:aws:iam::123456789012:role/PaymentApplicationRole"
    )
    assert other.message == msg and other.findings == []
    json.loads(reporting.message)


def test_deny_wins_over_mask_for_the_same_principal() -> None:
    pol = tamis.compile_policy(_policy_text("sns_overlapping_statements_same_principal.json"))
    msg = "card number 4539894458086459"
    denied = pol.apply(msg, direction="Outbound", principal=ROLE)
    assert denied.denied and denied.action == "drop_delivery" and denied.error is not None
    assert denied.error.statement == "deny-reporting"
    masked = pol.apply(msg, direction="Outbound", principal="arn:aws:iam::123456789012:role/Other")
    assert masked.message == "card number " + "#" * 16


def _policy(*statements: dict, custom: list[dict] | None = None) -> tamis.Policy:
    doc: dict = {"Name": "t", "Version": "2021-06-01", "Statement": list(statements)}
    if custom:
        doc["Configuration"] = {"CustomDataIdentifier": custom}
    return tamis.compile_policy(doc)


def _st(op: dict, *idents: str, principal: str = "*", direction: str = "Inbound") -> dict:
    return {
        "DataDirection": direction,
        "Principal": [principal],
        "DataIdentifier": list(idents),
        "Operation": op,
    }


MASK = {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}
REDACT = {"Deidentify": {"RedactConfig": {}}}


def test_redact_wins_over_mask_and_overlapping_spans_merge() -> None:
    custom = [{"Name": "CardTail", "Regex": "8086459 exp"}]
    pol = _policy(_st(MASK, ARN + "CreditCardNumber"), _st(REDACT, "CardTail"), custom=custom)
    msg = "card 4539894458086459 exp 01"
    out = pol.apply(msg, direction="Inbound", principal=ROLE)
    # CreditCardNumber [5, 21) and CardTail [14, 25) overlap: one span [5, 25), redacted.
    assert [(f.start, f.end) for f in out.findings] == [(5, 21), (14, 25)]
    assert out.message == "card  01"
    masked_only = _policy(_st(MASK, ARN + "CreditCardNumber", "CardTail"), custom=custom)
    assert masked_only.apply(msg, direction="Inbound").message == "card " + "#" * 20 + " 01"


def test_principal_and_direction_select_statements() -> None:
    pol = _policy(
        _st(MASK, ARN + "EmailAddress", principal="arn:aws:iam::111122223333:user/Pub"),
        _st(REDACT, ARN + "EmailAddress", direction="Outbound", principal="arn:aws:iam::111122223333:root"),
    )
    msg = "mail bob@example.com now"
    assert pol.apply(msg, direction="Inbound", principal="arn:aws:iam::111122223333:user/Pub").message == (
        "mail " + "#" * 15 + " now"
    )
    assert pol.apply(msg, direction="Inbound", principal="arn:aws:iam::111122223333:user/X").message == msg
    assert (
        pol.apply(msg, direction="Outbound", principal="arn:aws:iam::111122223333:root").message
        == "mail  now"
    )
    with pytest.raises(ValueError):
        pol.apply(msg, direction="inbound")


def test_audit_record_and_sample_rate() -> None:
    def audit(rate: str) -> tamis.Policy:
        dest = {"FindingsDestination": {"S3": {"Bucket": "b"}}}
        return _policy(_st({"Audit": {"SampleRate": rate, **dest}}, ARN + "EmailAddress", ARN + "Ssn-US"))

    msg = "ssn 123-45-6789, mail a@example.org and b@example.org"
    out = audit("99").apply(msg, direction="Inbound", principal=ROLE, rng=random.Random(1), message_id="m-1")
    assert out.message == msg  # audit never changes the message
    record = out.audit
    assert record is not None and record["messageId"] == "m-1" and record["callerPrincipal"] == ROLE
    by_name = {d["name"]: d for d in record["dataIdentifiers"]}
    assert by_name["Ssn-US"] == {"name": "Ssn-US", "count": 1, "detections": [{"start": 4, "end": 15}]}
    assert by_name["EmailAddress"]["count"] == 2
    assert all(audit("0").apply(msg, direction="Inbound").audit is None for _ in range(50))
    rng = random.Random(7)
    sampled = sum(audit("50").apply(msg, direction="Inbound", rng=rng).audit is not None for _ in range(400))
    assert 140 < sampled < 260


def test_json_payload_stays_valid_for_numbers_and_escapes() -> None:
    pol = _policy(_st(MASK, ARN + "CreditCardNumber", ARN + "EmailAddress"))
    msg = '{"card": 4539894458086459, "note": "mail\\u0020bob@example.com\\n", "cc": "card 4539894458086459"}'
    out = pol.apply(msg, direction="Inbound")
    assert out.message is not None and len(out.message) == len(msg)
    doc = json.loads(out.message)
    assert doc["card"] == "#" * 14  # the number token became a string of the same length
    assert "bob@example.com" not in out.message and doc["cc"] == "card " + "#" * 16
    red = _policy(_st(REDACT, ARN + "CreditCardNumber")).apply(msg, direction="Inbound")
    assert red.message is not None and json.loads(red.message)["card"] == ""


def test_offsets_count_characters_not_bytes() -> None:
    pol = _policy(_st(MASK, ARN + "EmailAddress"))
    msg = "héllo wörld — bob@example.com"
    out = pol.apply(msg, direction="Inbound")
    (f,) = out.findings
    assert msg[f.start : f.end] == "bob@example.com"
    assert out.message == msg[: f.start] + "#" * 15


def test_cloudwatch_logs_policies_combine() -> None:
    def cwl(*idents: str) -> dict:
        ids = [ARN + i for i in idents]
        return {
            "Name": "c",
            "Version": "2021-06-01",
            "Statement": [
                {"DataIdentifier": ids, "Operation": {"Audit": {"FindingsDestination": {}}}},
                {"DataIdentifier": ids, "Operation": {"Deidentify": {"MaskConfig": {}}}},
            ],
        }

    msg = "user bob@example.com from 10.1.2.3"
    group_only = tamis.compile_policy(cwl("EmailAddress"), dialect="cloudwatch-logs")
    assert group_only.apply(msg).message == "user " + "*" * 15 + " from 10.1.2.3"
    both = tamis.compile_policy(
        cwl("EmailAddress"), dialect="cloudwatch-logs", account_policy=cwl("IpAddress")
    )
    out = both.apply(msg)
    assert out.message == "user " + "*" * 15 + " from " + "*" * 8 and out.action == "ingest"
    assert out.audit is not None and {d["name"] for d in out.audit["dataIdentifiers"]} == {
        "EmailAddress",
        "IpAddress",
    }
    with pytest.raises(ValueError):
        both.apply(msg, direction="Inbound")


def test_cli_redact(tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = tmp_path / "p.json"
    policy.write_text(_policy_text("sns_seed_mask_outbound_reporting_role.json"), encoding="utf-8")
    msg = '{"payment":{"credit_card_number":"4539894458086459"}}'
    run = [sys.executable, "-m", "tamis", "redact", "--policy", str(policy), "--direction", "Outbound"]
    done = subprocess.run(
        [*run, "--principal", ROLE, "-"], input=msg, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{"payment":{"credit_card_number":"################"}}'
    deny = tmp_path / "d.json"
    deny.write_text(_policy_text("sns_inbound_deny_creditcard.json"), encoding="utf-8")
    principal = json.loads(deny.read_text())["Statement"][0]["Principal"][0]
    done = subprocess.run(
        [sys.executable, "-m", "tamis", "redact", "--policy", str(deny), "--principal", principal, "--audit"],
        input="My credit card number is 4539894458086459",
        capture_output=True,
        text=True,
        check=False,
    )
    # a Deny is the policy's finding: exit 1 (the CLI's one contract; it was 3 before)
    assert done.returncode == 1 and done.stdout == "" and "AuthorizationError" in done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"Name": "x",\n "Version": 1}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tamis", "redact", "--policy", str(bad)],
        input="",
        capture_output=True,
        text=True,
    )
    # an invalid policy cannot be applied: an input error, exit 2 (it was 1 before the CLI's one contract)
    assert done.returncode == 2 and f"{bad}:2:" in done.stderr and "Traceback" not in done.stderr
    assert orjson.loads(b"null") is None


def test_cli_redact_refuses_the_other_dialects_options(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sns = tmp_path / "sns.json"
    sns.write_text(_policy_text("sns_seed_mask_outbound_reporting_role.json"), encoding="utf-8")
    cwl = tmp_path / "cwl.json"
    cwl.write_text(_policy_text("cwl_loggroup_audit_mask.json"), encoding="utf-8")
    redact = [sys.executable, "-m", "tamis", "redact"]
    for extra in (
        ["--policy", str(sns), "--account-policy", str(cwl)],
        ["--policy", str(cwl), "--dialect", "cloudwatch-logs", "--direction", "Outbound"],
        ["--policy", str(cwl), "--dialect", "cloudwatch-logs", "--principal", ROLE],
    ):
        done = subprocess.run([*redact, *extra, "-"], input="a@example.com", capture_output=True, text=True)
        assert done.returncode == 2 and done.stdout == "", extra
        assert "tamis redact: error:" in done.stderr and "Traceback" not in done.stderr, done.stderr
    both = [*redact, "--policy", str(cwl), "--dialect", "cloudwatch-logs", "--account-policy", str(cwl), "-"]
    done = subprocess.run(both, input="a@example.com", capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "*" * len("a@example.com"), done.stderr


def test_json_escapes_do_not_hide_keywords_or_values() -> None:
    pol = _policy(_st(MASK, ARN + "CreditCardNumber", ARN + "EmailAddress"))
    msg = json.dumps({"note": "line one\ncard number\n4539894458086459\tbob@example.com\u00e9"})
    out = pol.apply(msg, direction="Inbound")
    assert [msg[f.start : f.end] for f in out.findings] == ["4539894458086459", "bob@example.com"]
    assert out.message is not None and json.loads(out.message)["note"] == (
        "line one\ncard number\n" + "#" * 16 + "\t" + "#" * 15 + "\u00e9"
    )
