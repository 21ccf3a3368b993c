"""A FIFO topic's ArchivePolicy, with the SNS Developer Guide's examples
(https://docs.aws.amazon.com/sns/latest/dg/message-archiving-and-replay-topic-owner.html)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tamis
from tamis.errors import PolicyError, SnsPolicyError


@pytest.mark.parametrize(
    ("policy", "days"),
    [
        ('{"MessageRetentionPeriod": "30"}', 30),  # the API's example: a string of digits
        ('{"MessageRetentionPeriod": 30}', 30),  # a template's number
        ({"MessageRetentionPeriod": "1"}, 1),
        ({"MessageRetentionPeriod": 365}, 365),
        ("{}", None),  # the documented way to turn archiving off
    ],
)
def test_documented_policies_are_accepted(policy: object, days: int | None) -> None:
    checked = tamis.validate_sns_archive_policy(policy, fifo_topic=True)  # type: ignore[arg-type]
    assert checked.retention_days == days
    assert checked.active is (days is not None)


@given(st.integers(min_value=1, max_value=365), st.booleans())
def test_every_day_count_in_range_is_accepted(days: int, as_text: bool) -> None:
    value = f'"{days}"' if as_text else str(days)
    assert tamis.validate_sns_archive_policy(f'{{"MessageRetentionPeriod": {value}}}').retention_days == days


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=366)))
def test_day_counts_out_of_range_are_refused(days: int) -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_archive_policy({"MessageRetentionPeriod": days})
    assert info.value.code == "SNS102"


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ('{\n  "MessageRetentionPeriod": "366"\n}', "SNS102", 2, 29),
        ('{\n  "MessageRetentionPeriod": "0"\n}', "SNS102", 2, 29),
        ('{"MessageRetentionPeriod": "thirty"}', "SNS102", 1, 28),
        ('{"MessageRetentionPeriod": 30.5}', "SNS102", 1, 28),
        ('{"MessageRetentionPeriod": true}', "SNS102", 1, 28),
        ('{"MessageRetentionPeriod": "30", "RetentionDays": 30}', "SNS101", 1, 34),
        ('{"RetentionDays": 30}', "SNS101", 1, 2),
        ('["MessageRetentionPeriod"]', "SNS101", 1, 1),
        ('{"MessageRetentionPeriod": "30",}', "SNS001", 1, 33),
        ('{"MessageRetentionPeriod": "30", "MessageRetentionPeriod": "31"}', "SNS001", 1, 34),
    ],
)
def test_mistakes_are_located(text: str, code: str, line: int, column: int) -> None:
    with pytest.raises(PolicyError) as info:
        tamis.validate_sns_archive_policy(text, source="topic.json")
    err = info.value
    assert isinstance(err, SnsPolicyError)
    assert (err.code, err.line, err.column, err.source) == (code, line, column, "topic.json")


def test_archiving_is_for_fifo_topics_only() -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_archive_policy('{"MessageRetentionPeriod": "30"}', fifo_topic=False)
    assert info.value.code == "SNS103"
    # turning archiving off is no mistake on any topic; an unknown kind of topic is not judged
    assert not tamis.validate_sns_archive_policy("{}", fifo_topic=False).active
    assert tamis.validate_sns_archive_policy('{"MessageRetentionPeriod": "30"}').retention_days == 30


def test_every_independent_mistake_is_reported() -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_archive_policy('{"MessageRetentionPeriod": "400", "Days": 1}', fifo_topic=False)
    assert [e.code for e in info.value.all_errors] == ["SNS101", "SNS102", "SNS103"]


def test_a_policy_past_what_tamis_reads_is_refused_at_its_start() -> None:
    from tamis.compiler.sns_policies.document import MAX_POLICY_CHARS

    padded = '{"MessageRetentionPeriod": "30"' + " " * MAX_POLICY_CHARS + "}"
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_archive_policy(padded, source="topic.json")
    assert (info.value.code, info.value.line, info.value.column) == ("SNS003", 1, 1)
    exact = '{"MessageRetentionPeriod": "30"' + " " * (MAX_POLICY_CHARS - 32) + "}"
    assert len(exact) == MAX_POLICY_CHARS
    assert tamis.validate_sns_archive_policy(exact).retention_days == 30
