"""A subscription's ReplayPolicy, with the SNS Developer Guide's examples
(https://docs.aws.amazon.com/sns/latest/dg/message-archiving-and-replay-subscriber.html)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tamis
from tamis.compiler.sns_policies.replay import parse_timestamp
from tamis.errors import SnsPolicyError

UTC = timezone.utc


def test_a_replay_from_a_timestamp() -> None:
    checked = tamis.validate_sns_replay_policy(
        '{"PointType": "Timestamp", "StartingPoint": "2023-10-31T19:01:22Z"}'
    )
    assert checked.point_type == "Timestamp"
    assert checked.starting_point == datetime(2023, 10, 31, 19, 1, 22, tzinfo=UTC)
    assert checked.ending_point is None


def test_a_replay_window() -> None:
    checked = tamis.validate_sns_replay_policy(
        {
            "PointType": "Timestamp",
            "StartingPoint": "2023-10-31T19:01:22.25+02:00",
            "EndingPoint": "2023-10-31T18:00:00Z",
        }
    )
    assert checked.starting_point == datetime(2023, 10, 31, 17, 1, 22, 250000, tzinfo=UTC)
    assert checked.ending_point == datetime(2023, 10, 31, 18, 0, tzinfo=UTC)


@given(st.datetimes(timezones=st.just(UTC)), st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_timestamps_read_back_to_the_instant_written(when: datetime, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = when.astimezone(zone) if 1 < when.year < 9999 else when
    assert parse_timestamp(local.isoformat()) == when


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ('{"PointType": "Timestamp"}', "SNS201", 1, 1),
        ('{"StartingPoint": "2023-10-31T19:01:22Z"}', "SNS201", 1, 1),
        (
            '{"PointType": "Timestamp", "StartingPoint": "2023-10-31T19:01:22Z", "Ending": "x"}',
            "SNS201",
            1,
            69,
        ),
        ('"2023-10-31T19:01:22Z"', "SNS201", 1, 1),
        ('{"PointType": "timestamp", "StartingPoint": "2023-10-31T19:01:22Z"}', "SNS202", 1, 15),
        ('{"PointType": "Timestamp",\n "StartingPoint": "2023-10-31"}', "SNS203", 2, 19),
        ('{"PointType": "Timestamp", "StartingPoint": "2023-10-31T19:01:22"}', "SNS203", 1, 45),
        ('{"PointType": "Timestamp", "StartingPoint": "2023-02-30T00:00:00Z"}', "SNS203", 1, 45),
        ('{"PointType": "Timestamp", "StartingPoint": 1698778882}', "SNS203", 1, 45),
        (
            '{"PointType": "Timestamp", "StartingPoint": "2023-11-01T00:00:00Z",\n'
            ' "EndingPoint": "2023-10-31T00:00:00Z"}',
            "SNS204",
            2,
            17,
        ),
        ('{"PointType": "Timestamp" "StartingPoint": "2023-10-31T19:01:22Z"}', "SNS001", 1, 27),
    ],
)
def test_mistakes_are_located(text: str, code: str, line: int, column: int) -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_replay_policy(text, source="replay.json")
    err = info.value
    assert (err.code, err.line, err.column, err.source) == (code, line, column, "replay.json")


def test_an_empty_window_is_not_a_reversed_one() -> None:
    point = "2023-10-31T19:01:22Z"
    checked = tamis.validate_sns_replay_policy(
        {"PointType": "Timestamp", "StartingPoint": point, "EndingPoint": point}
    )
    assert checked.starting_point == checked.ending_point


def test_every_independent_mistake_is_reported() -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_replay_policy(
            {"PointType": "Sequence", "StartingPoint": "now", "EndingPoint": "then"}
        )
    assert [e.code for e in info.value.all_errors] == ["SNS202", "SNS203", "SNS203"]


def test_an_ending_point_warns_that_the_subscription_pauses() -> None:
    # The subscriber page's own two-hour recovery window: accepted, with SNS206 at the EndingPoint key.
    text = (
        '{\n "PointType":"Timestamp",\n "StartingPoint":"2023-10-01T10:00:00.000Z",\n'
        ' "EndingPoint":"2023-10-01T12:00:00.000Z"\n}'
    )
    checked = tamis.validate_sns_replay_policy(text, source="replay.json")
    assert checked.ending_point == datetime(2023, 10, 1, 12, tzinfo=UTC)
    [warning] = checked.warnings
    assert (warning.code, warning.severity, warning.line, warning.column, warning.source) == (
        "SNS206",
        "warning",
        4,
        2,
        "replay.json",
    )
    assert warning.pointer == "/EndingPoint"
    assert "pauses the subscription" in warning.message


def test_a_replay_that_goes_on_with_new_messages_does_not_warn() -> None:
    # The page's replay "as of October 1, 2023", which then keeps receiving newly published messages.
    checked = tamis.validate_sns_replay_policy(
        '{"PointType":"Timestamp","StartingPoint":"2023-10-01T00:00:00.000Z"}'
    )
    assert checked.warnings == ()


def test_the_shared_object_checks_name_each_policy() -> None:
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_replay_policy("[]")
    assert info.value.message.startswith("a ReplayPolicy is a JSON object")
    with pytest.raises(SnsPolicyError) as info:
        tamis.validate_sns_archive_policy('{"RetentionDays": 30}')
    assert "unknown ArchivePolicy key 'RetentionDays': the documented key is MessageRetentionPeriod" in str(
        info.value
    )
    assert info.value.code == "SNS101"
