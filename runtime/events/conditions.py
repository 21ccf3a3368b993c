"""The compiled form of event-pattern conditions: plain, hashable values the matcher indexes.

Each value test is a tuple whose first item names its kind; a field condition is the OR of its
tests on one path. Identical conditions from different rules are shared, so the matcher evaluates
each one once per event however many rules use it.
"""

from __future__ import annotations

from typing import Any

# Kinds of value tests (first item of each test tuple).
STR = "str"  # ("str", s): exact string
IP = "ip"  # ("ip", low_hex, high_hex): IP address range (CIDR block or IP-looking exact string)
NUM = "num"  # ("num", f): comparable number equal to the double f
NUMLIT = "numlit"  # ("numlit", literal_key): a number that is not comparable: same literal only
NULL, TRUE, FALSE = "null", "true", "false"
PREFIX, SUFFIX = "prefix", "suffix"  # ("prefix", s)
PREFIX_IC, SUFFIX_IC, EQ_IC = "prefix_ic", "suffix_ic", "eq_ic"  # ("eq_ic", s) as written in the rule
WILDCARD = "wildcard"  # ("wildcard", rule_text): `*` any run of characters, `\*` and `\\` literals
RANGE = "range"  # ("range", low, low_inclusive, high, high_inclusive): numeric, floats (+-inf open)
EXISTS = "exists"  # ("exists", bool)
# anything-but: ("ab", inner_kind, frozenset(values)); inner kinds: STR, NUM, PREFIX, SUFFIX, EQ_IC, WILDCARD
ANYTHING_BUT = "ab"

Test = tuple[Any, ...]
Path = str  # dot-joined field path, as the services flatten it


class FieldCondition:
    """The OR of value tests on one path, with the per-path mode the services apply.

    ``numeric_mode``: the rule compares this field numerically somewhere, so event numbers are compared
    as numbers.
    ``ip_mode``: the rule has IP tests on this field, so an IP-looking event string is tried twice: as its
    address against the IP tests, and as written against every other test (numbers never meet IP tests).
    """

    __slots__ = ("ip_mode", "key", "numeric_mode", "path", "tests")

    def __init__(self, path: Path, tests: frozenset[Test], numeric_mode: bool, ip_mode: bool) -> None:
        self.path = path
        self.tests = tests
        self.numeric_mode = numeric_mode
        self.ip_mode = ip_mode
        self.key = (path, tests, numeric_mode, ip_mode)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldCondition) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"FieldCondition({self.path!r}, {sorted(map(repr, self.tests))})"

    @property
    def absent_ok(self) -> bool:
        """True for `exists: false`: satisfied when the path has no leaf value at all."""
        return (EXISTS, False) in self.tests


# A compiled rule: the OR of sub-rules ($or branches expanded), each the AND of field conditions.
SubRule = tuple[FieldCondition, ...]
