"""Hypothesis strategies for event patterns and events, shared by the property and native-twin tests.

Random valid patterns use every operator, nested objects, ``$or`` and value lists; random events are biased
to hit them. The generators keep away from corners the reference cannot vouch for (see
tests/support/reference_patterns.py).
"""

from __future__ import annotations

import ipaddress
import json
import random
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from support.reference_patterns import Num

# ---------------------------------------------------------------------------------------------------------
# JSON text with exact number literals


def dumps(value: Any) -> str:
    """Serialise values where numbers are ``Num`` (kept as written) to compact JSON text."""
    if isinstance(value, Num):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


@cache
def spellings(text: str) -> list[str]:
    """Other JSON spellings of the same numeric value (``5`` -> ``5.0``, ``5e0``, ``50e-1``)."""
    d = Decimal(text)
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    minus = "-" if sign else ""
    mantissa = "".join(map(str, digits)).lstrip("0") or "0"
    exponent += len("".join(map(str, digits))) - len("".join(map(str, digits)).rstrip("0") or "0")
    mantissa = mantissa.rstrip("0") or "0"
    out = {text, f"{minus}{mantissa}e{exponent}", f"{minus}{mantissa}0e{exponent - 1}"}
    plain = format(d, "f")
    if len(plain) < 60:
        out.add(plain)
        if "." not in plain:
            out.add(plain + ".0")
        else:
            out.add(plain + "0")
    return sorted(t for t in out if _is_json_number(t))


def _is_json_number(text: str) -> bool:
    try:
        return isinstance(json.loads(text, parse_float=Decimal), int | Decimal)
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------------------
# Pools

WORDS = ["", "a", "A", "abc", "ABC", "aBc", "foo", "Foo", "FOO", "bar", "foobar", "x*y", "a\\b", "lorem"]
UNICODE = ["ß", "SS", "ss", "é", "É", "ǆ", "ǅ", "Ǆ", "İ", "i", "I", "😀", "Σ", "σ"]
COMPARABLE = [
    "0",
    "-0",
    "1",
    "5",
    "-5",
    "2.5",
    "0.1",
    "0.3",
    "100",
    "1e2",
    "1e-300",
    "-7.25",
    "1750000000",
    "1e308",
]
NON_COMPARABLE = [
    "12345678901234567890",
    "0.1000000000000000055511151231257827",
    "5e-324",
    "9007199254740993",
]
IPV4 = [
    "10.0.0.1",
    "10.0.0.255",
    "10.0.1.0",
    "10.0.0.0",
    "192.168.1.7",
    "0.0.0.0",
    "255.255.255.255",
    "9.255.255.255",
]
IPV4_VALUES = [
    *IPV4,
    "010.000.000.001",
    "10.0.0.01",
    "::ffff:a00:1",
    "10.0.0",
    "10.0.0.256",
    "::ffff:10.0.0.1",
    "ip",
]
IPV6 = ["2001:db8::1", "2001:db8::", "2001:db9::1", "fe80::1", "::", "::2", "ffff::ffff"]
IPV6_VALUES = [
    *IPV6,
    "2001:DB8:0:0:0:0:0:1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "2001:db8::1::",
    "zz::1",
]

texts = st.sampled_from(WORDS + UNICODE) | st.text(alphabet="abAB*\\ßSsé😀.", max_size=5)
comparable = st.sampled_from(COMPARABLE).map(Num)
any_number = st.sampled_from(COMPARABLE + NON_COMPARABLE).map(Num)
STRING_FIELDS = ["a", "b"]
NUMBER_FIELDS = ["n"]


# ---------------------------------------------------------------------------------------------------------
# Pattern strategies


@st.composite
def wildcards(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(st.sampled_from(["a", "b", "ab", "ß", "*", "\\*", "\\\\", "."]), min_size=1, max_size=5)
    )
    out = ""
    last_was_star = False
    for piece in pieces:
        if piece == "*" and last_was_star:
            continue  # "**" is invalid
        out += piece
        last_was_star = piece == "*"
    return out


def _nonempty(s: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return s.filter(lambda t: t != "")


@st.composite
def numeric_ranges(draw: st.DrawFn) -> dict[str, Any]:
    bounds = sorted(
        {Decimal(t): t for t in draw(st.lists(st.sampled_from(COMPARABLE), min_size=2, max_size=2))}.items()
    )
    if len(bounds) == 2 and draw(st.booleans()):
        (_, low), (_, high) = bounds
        return {
            "numeric": [
                draw(st.sampled_from([">", ">="])),
                Num(low),
                draw(st.sampled_from(["<", "<="])),
                Num(high),
            ]
        }
    return {"numeric": [draw(st.sampled_from(["=", "<", "<=", ">", ">="])), Num(bounds[0][1])]}


def string_matchers() -> st.SearchStrategy[Any]:
    one_or_list = lambda s: s | st.lists(s, min_size=1, max_size=3)  # noqa: E731
    return st.one_of(
        texts,
        st.builds(lambda t: {"exactly": t}, texts),
        st.builds(lambda t: {"prefix": t}, texts),
        st.builds(lambda t: {"suffix": t}, texts),
        st.builds(lambda t: {"equals-ignore-case": t}, texts),
        st.builds(lambda t: {"prefix": {"equals-ignore-case": t}}, texts),
        st.builds(lambda t: {"suffix": {"equals-ignore-case": t}}, texts),
        st.builds(lambda t: {"wildcard": t}, wildcards()),
        st.builds(lambda t: {"anything-but": t}, texts | st.lists(texts, min_size=1, max_size=3)),
        st.builds(lambda t: {"anything-but": {"prefix": t}}, one_or_list(_nonempty(texts))),
        st.builds(lambda t: {"anything-but": {"suffix": t}}, one_or_list(_nonempty(texts))),
        st.builds(lambda t: {"anything-but": {"equals-ignore-case": t}}, one_or_list(texts)),
        st.builds(lambda t: {"anything-but": {"wildcard": t}}, one_or_list(wildcards())),
        st.builds(lambda b: {"exists": b}, st.booleans()),
        st.sampled_from([None, True, False]),
        any_number,
    )


def number_matchers() -> st.SearchStrategy[Any]:
    return st.one_of(
        any_number,
        numeric_ranges(),
        st.builds(lambda n: {"anything-but": n}, comparable | st.lists(comparable, min_size=1, max_size=3)),
        st.builds(lambda b: {"exists": b}, st.booleans()),
        st.sampled_from([None, True, "5", "abc"]),
    )


@st.composite
def ip_matchers(draw: st.DrawFn, family: int) -> Any:
    pool, bits = (IPV4, 31) if family == 4 else (IPV6, 127)
    kind = draw(st.sampled_from(["cidr", "exact", "exists"]))
    if kind == "cidr":
        return {"cidr": f"{draw(st.sampled_from(pool))}/{draw(st.integers(0, bits))}"}
    if kind == "exact":
        return draw(st.sampled_from(pool))
    return {"exists": draw(st.booleans())}


STRING_MATCHERS = string_matchers()
NUMBER_MATCHERS = number_matchers()
VALUE_LISTS = {
    **{f: st.lists(STRING_MATCHERS, min_size=1, max_size=3) for f in STRING_FIELDS},
    **{f: st.lists(NUMBER_MATCHERS, min_size=1, max_size=3) for f in NUMBER_FIELDS},
    "ip4": st.lists(ip_matchers(4), min_size=1, max_size=3),
    "ip6": st.lists(ip_matchers(6), min_size=1, max_size=3),
}
LEAF_FIELDS = [*STRING_FIELDS, *NUMBER_FIELDS, "ip4", "ip6"]
BOOLS = st.booleans()


def pick(draw: st.DrawFn, items: list[Any]) -> Any:
    # Drawing an index from a cached integers() strategy avoids building a new strategy per call.
    return items[draw(st.integers(0, len(items) - 1))]


def chance(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


def draw_object(
    draw: st.DrawFn, depth: int = 0, allow_or: bool = True, exclude: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A pattern object; ``$or`` branches never repeat a field of an enclosing object (no overriding)."""
    pool = [n for n in ([*LEAF_FIELDS, "x", "y"] if depth < 1 else LEAF_FIELDS) if n not in exclude]
    names: list[str] = []
    for _ in range(draw(st.integers(1, min(3, len(pool))))):
        name = pick(draw, [n for n in pool if n not in names])
        names.append(name)
    out: dict[str, Any] = {}
    for name in names:
        out[name] = draw_object(draw, depth + 1, allow_or) if name in ("x", "y") else draw(VALUE_LISTS[name])
    used = exclude | set(out)
    if allow_or and len([n for n in pool if n not in used]) >= 2 and chance(draw, 5):
        out["$or"] = [
            draw_object(draw, depth, allow_or=False, exclude=frozenset(used))
            for _ in range(draw(st.integers(2, 3)))
        ]
    return out


patterns = st.composite(draw_object)()


# ---------------------------------------------------------------------------------------------------------
# Event strategies (biased by the pattern)


def _pattern_strings(pattern: Any) -> list[str]:
    found: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            found.append(v.replace("\\*", "*").replace("\\\\", "\\"))
        elif isinstance(v, dict):
            for k, child in v.items():
                if k != "cidr":
                    walk(child)
        elif isinstance(v, list):
            for child in v:
                walk(child)

    walk(pattern)
    return [s for s in found if s not in ("=", "<", "<=", ">", ">=")]


CHANGES = ["same", "upper", "lower", "swap", "grow-end", "grow-start", "cut"]
STAR_FILL = ["", "*", "q", "ab"]
EVENT_NUMBER_BASES = [*COMPARABLE, *NON_COMPARABLE, "6", "99", "101", "0.30000000000000004", "1e-1"]
TEXT_ALPHABET = "abAB*\\ßSsé😀."

# Events come from a seeded random.Random: one draw per event instead of hundreds keeps the suite fast;
# the failing seed and the event text are reported by note().


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(WORDS + UNICODE)
    return "".join(rng.choice(TEXT_ALPHABET) for _ in range(rng.randint(0, 5)))


def random_string(rng: random.Random, seeds: list[str]) -> str:
    if not seeds or rng.random() < 0.25:
        return random_text(rng)
    s = rng.choice(seeds).replace("*", rng.choice(STAR_FILL))
    change = rng.choice(CHANGES)
    if change == "upper":
        s = s.upper()
    elif change == "lower":
        s = s.lower()
    elif change == "swap":
        s = s.swapcase()
    elif change == "grow-end":
        s = s + random_text(rng)
    elif change == "grow-start":
        s = random_text(rng) + s
    elif change == "cut" and s:
        s = s[: rng.randrange(len(s))]
    return s


def random_number(rng: random.Random) -> Num:
    return Num(event_spelling(rng, rng.choice(EVENT_NUMBER_BASES)))


def event_spelling(rng: random.Random, text: str) -> str:
    # Other spellings of a number that is not an exact double must not match it (literal-text matching):
    # every number, exact or not, is respelled.
    return rng.choice(spellings(text))


def random_scalar(rng: random.Random, field: str, seeds: list[str]) -> Any:
    kind = rng.randrange(10)
    if field in ("ip4", "ip6"):
        if kind < 8:
            return rng.choice(IPV4_VALUES if field == "ip4" else IPV6_VALUES)
        return random_string(rng, seeds) if kind == 8 else random_number(rng)
    prefer_numbers = field in NUMBER_FIELDS
    if kind < 6:
        return random_number(rng) if prefer_numbers else random_string(rng, seeds)
    if kind < 8:
        return random_string(rng, seeds) if prefer_numbers else random_number(rng)
    return rng.choice([None, True, False])


def random_scalars(rng: random.Random, field: str, seeds: list[str], max_size: int) -> list[Any]:
    return [random_scalar(rng, field, seeds) for _ in range(rng.randint(0, max_size))]


MISSING = object()


def case_variant(rng: random.Random, text: str) -> str:
    """A string equals-ignore-case(text) accepts: each char as itself, lower- or upper-cased."""
    return "".join(rng.choice([c, c.lower(), c.upper()]) for c in text)


def unescape_wildcard(rng: random.Random, text: str) -> str:
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\":
            out += text[i + 1]
            i += 2
            continue
        out += random_text(rng).replace("*", "") if text[i] == "*" else text[i]
        i += 1
    return out


def near_miss(rng: random.Random, value: Any) -> Any:
    """A small change to a witness: often no longer matching, sometimes still matching."""
    if isinstance(value, str):
        return rng.choice([value[:-1], value + "x", "x" + value, value.swapcase(), value.upper()])
    if isinstance(value, Num):
        return random_number(rng)
    return value


def ip_witness(rng: random.Random, matcher: Any) -> str:
    if isinstance(matcher, str):
        network = ipaddress.ip_network(matcher)
    else:
        network = ipaddress.ip_network(matcher["cidr"], strict=False)
    offset = rng.choice([0, network.num_addresses - 1, rng.randrange(min(network.num_addresses, 2**64))])
    address = network.network_address + offset
    if address.version == 4 and rng.random() < 0.3:
        return ".".join(f"{int(part):03d}" for part in str(address).split("."))
    if address.version == 6 and rng.random() < 0.3:
        return address.exploded.upper()
    return str(address)


def witness(rng: random.Random, matcher: Any, field: str, seeds: list[str]) -> Any:
    """An event value that the matcher accepts (or MISSING for exists:false)."""
    if matcher is None or isinstance(matcher, bool):
        return matcher
    if isinstance(matcher, Num):
        return Num(event_spelling(rng, matcher.text))
    if isinstance(matcher, str):
        return ip_witness(rng, matcher) if field in ("ip4", "ip6") else matcher
    ((op, arg),) = matcher.items()
    if op == "exactly":
        return arg
    if op in ("prefix", "suffix"):
        core = case_variant(rng, arg["equals-ignore-case"]) if isinstance(arg, dict) else arg
        return core + random_text(rng) if op == "prefix" else random_text(rng) + core
    if op == "equals-ignore-case":
        return case_variant(rng, arg)
    if op == "wildcard":
        return unescape_wildcard(rng, arg)
    if op == "exists":
        return random_scalar(rng, field, seeds) if arg else MISSING
    if op == "cidr":
        return ip_witness(rng, matcher)
    if op == "numeric":
        inside = [t for t in COMPARABLE if _in_numeric(Decimal(t), arg)]
        return Num(rng.choice(spellings(rng.choice(inside)))) if inside else random_number(rng)
    if op == "anything-but":
        return random_scalar(rng, field, seeds)
    raise AssertionError(op)


def _in_numeric(value: Decimal, terms: list[Any]) -> bool:
    checks = {"=": value.__eq__, "<": value.__lt__, "<=": value.__le__, ">": value.__gt__, ">=": value.__ge__}
    return all(checks[terms[i]](Decimal(terms[i + 1].text)) for i in range(0, len(terms), 2))


def leaf_value(rng: random.Random, matchers: list[Any], field: str, seeds: list[str]) -> Any:
    roll = rng.random()
    if roll < 0.75:
        return witness(rng, rng.choice(matchers), field, seeds)
    if roll < 0.9:
        value = witness(rng, rng.choice(matchers), field, seeds)
        return value if value is MISSING else near_miss(rng, value)
    return random_scalar(rng, field, seeds)


def leaf_values(rng: random.Random, matchers: list[Any], field: str, seeds: list[str], n: int) -> list[Any]:
    return [v for v in (leaf_value(rng, matchers, field, seeds) for _ in range(n)) if v is not MISSING]


def random_value(rng: random.Random, pattern: dict[str, Any], field: str, seeds: list[str]) -> Any:
    sub = _field_pattern(pattern, field)
    shape = rng.randrange(10)
    if isinstance(sub, dict):  # nested object in the pattern: object, array of objects, or a stray scalar
        if shape < 5:
            return random_event(rng, sub, seeds)
        if shape < 9:
            return [random_event(rng, sub, seeds) for _ in range(rng.randint(1, 3))]
        return random_scalar(rng, "a", seeds)
    if shape < 6:
        return leaf_value(rng, sub, field, seeds)
    if shape < 8:
        return leaf_values(rng, sub, field, seeds, rng.randint(0, 3))
    if shape == 8:
        return [leaf_values(rng, sub, field, seeds, rng.randint(0, 2))]
    return {"inner": random_scalar(rng, field, seeds)}


def _field_pattern(pattern: dict[str, Any], field: str) -> Any:
    """The pattern part under ``field``, looking inside $or branches too."""
    if field in pattern:
        return pattern[field]
    for branch in pattern.get("$or", []):
        found = _field_pattern(branch, field)
        if found is not None:
            return found
    return None


def _fields(pattern: dict[str, Any]) -> list[str]:
    names = [k for k in pattern if k != "$or"]
    for branch in pattern.get("$or", []):
        names.extend(k for k in _fields(branch) if k not in names)
    return names


def random_event(rng: random.Random, pattern: dict[str, Any], seeds: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in _fields(pattern):
        if rng.random() < 1 / 12:
            continue  # missing field
        value = random_value(rng, pattern, field, seeds)
        if value is not MISSING:
            out[field] = value
    if rng.random() < 0.2:
        out["other"] = random_scalar(rng, "a", seeds)
    return out


def events_for(draw: st.DrawFn, pattern: dict[str, Any], n: int) -> list[dict[str, Any]]:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    seeds = _pattern_strings(pattern)
    return [random_event(rng, pattern, seeds) for _ in range(n)]


def within_wildcard_limit(pattern: dict[str, Any]) -> bool:
    """Whether EventBridge's wildcard-complexity limit accepts the pattern (the reference does not model it;
    tests/event_patterns/test_wildcard_complexity.py covers the limit)."""
    import tamis

    try:
        tamis.compile_pattern(dumps(pattern), dialect="eventbridge")
    except tamis.PatternError as exc:
        if exc.rule == "wildcard-complexity":
            return False
        raise
    return True


@st.composite
def pattern_and_events(draw: st.DrawFn, n_events: int = 8) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    pattern = draw_object(draw)
    assume(within_wildcard_limit(pattern))
    return pattern, events_for(draw, pattern, n_events)


# ---------------------------------------------------------------------------------------------------------
# Properties


@st.composite
def ruleset_scripts(draw: st.DrawFn) -> tuple[list[tuple[str, str, dict[str, Any]]], list[dict[str, Any]]]:
    """Random add/remove operations (fresh names only) and events aimed at the added patterns."""
    ops: list[tuple[str, str, dict[str, Any]]] = []
    live: list[str] = []
    all_patterns: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 5))):
        if live and draw(st.integers(0, 3)) == 0:
            name = pick(draw, live)
            live.remove(name)
            ops.append(("remove", name, {}))
        else:
            pattern = draw_object(draw)
            assume(within_wildcard_limit(pattern))
            name = f"rule-{i}"
            live.append(name)
            all_patterns.append(pattern)
            ops.append(("add", name, pattern))
    events = [event for target in all_patterns[-2:] for event in events_for(draw, target, 2)]
    return ops, events
