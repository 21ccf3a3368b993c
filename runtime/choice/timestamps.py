"""RFC 3339 timestamps (ASL spec §Timestamps: uppercase T and Z, an offset required). Parsed by hand so
that no regular expression engine runs on input text; fractions of any length are compared exactly."""

from __future__ import annotations

from typing import Any

_DIGITS = frozenset("0123456789")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _num(s: str, start: int, end: int) -> int:
    part = s[start:end]
    if len(part) != end - start or not _DIGITS.issuperset(part):
        return -1
    return int(part)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, no datetime range limits)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_timestamp(s: Any) -> tuple[int, str] | None:
    """``(epoch seconds, fraction digits without trailing zeros)`` of an RFC 3339 timestamp, else None.

    Tuples compare like the instants they denote: the fraction strings compare lexicographically exactly
    as the decimal fractions they spell once trailing zeros are gone.
    """
    if type(s) is not str or len(s) < 20:
        return None
    if s[4] != "-" or s[7] != "-" or s[10] != "T" or s[13] != ":" or s[16] != ":":
        return None
    year, month, day = _num(s, 0, 4), _num(s, 5, 7), _num(s, 8, 10)
    hour, minute, second = _num(s, 11, 13), _num(s, 14, 16), _num(s, 17, 19)
    if min(year, month, day, hour, minute, second) < 0:
        return None
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59 or day < 1:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day > _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return None
    pos, n = 19, len(s)
    fraction = ""
    if s[pos] == ".":
        end = pos + 1
        while end < n and s[end] in _DIGITS:
            end += 1
        if end == pos + 1:
            return None
        fraction = s[pos + 1 : end].rstrip("0")
        pos = end
    tz = s[pos:]
    if tz == "Z":
        offset = 0
    elif len(tz) == 6 and tz[0] in "+-" and tz[3] == ":":
        oh, om = _num(tz, 1, 3), _num(tz, 4, 6)
        if oh < 0 or om < 0 or oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * 60 * (1 if tz[0] == "+" else -1)
    else:
        return None
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds, fraction
