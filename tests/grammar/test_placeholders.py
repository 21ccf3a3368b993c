"""grammar/placeholders: one scanner of ``${...}`` in JSON template text, and its two callers."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tamis.grammar.placeholders import (
    PlaceholderSpan,
    neutralize_placeholders,
    placeholder_ranges,
    scan,
)

TEXT = '{"a": ${Num}, "b": "x ${Str} \\" ${Esc}", "c": [$${Lit}, ${}]}'


def test_scan_follows_strings_and_the_escapes_asked_for() -> None:
    outside = [TEXT[s:e] for s, e, _ in scan(TEXT)]
    assert outside == ["${Num}", "${Lit}", "${}"]
    assert [TEXT[s:e] for s, e, _ in scan(TEXT, dollar_escape=True)] == ["${Num}", "${}"]
    every = list(scan(TEXT, in_strings=True))
    assert [(TEXT[s.start : s.end], s.in_string) for s in every] == [
        ("${Num}", False),
        ("${Str}", True),
        ("${Esc}", True),
        ("${Lit}", False),
        ("${}", False),
    ]
    assert all(isinstance(s, PlaceholderSpan) for s in every)


def test_a_quote_inside_a_placeholder_opens_no_string() -> None:
    text = '[${a"b}, ${c}]'
    assert [text[s:e] for s, e, _ in scan(text)] == ['${a"b}', "${c}"]


def test_an_unclosed_placeholder_ends_the_scan() -> None:
    assert list(scan('[${a, "${b"]', in_strings=True)) == []


def test_neutralize_turns_placeholders_outside_strings_into_strings() -> None:
    fixed, found = neutralize_placeholders(TEXT)
    assert len(fixed) == len(TEXT)
    assert [span for _, span in found] == ["${Num}"]
    assert fixed.startswith('{"a": "${}" , "b": "x ${Str}')  # a string of the same width
    assert fixed.endswith("[$${Lit}, ${}]}")  # Terraform's escape and an empty ${} are not placeholders
    assert neutralize_placeholders('{"n": ${x}}') == ('{"n": null}', [(6, "${x}")])


def test_placeholder_ranges_turns_them_into_numbers_and_records_all() -> None:
    text = '{"a": ${Num}, "b": "${Str}"}'
    fixed, ranges = placeholder_ranges(text)
    assert fixed == '{"a": 1     , "b": "${Str}"}'
    assert [text[s:e] for s, e in ranges] == ["${Num}", "${Str}"]
    assert placeholder_ranges('{"a": 1}') == ('{"a": 1}', [])


def test_directives_are_blanked_only_when_asked() -> None:
    text = '[\n%{ for s in xs ~}\n"${s}",\n%{ endfor ~}\n"z"]'
    fixed, ranges = placeholder_ranges(text, directives=True)
    assert len(fixed) == len(text) and fixed.count("\n") == text.count("\n")
    assert "%{" not in fixed
    assert [text[s:e] for s, e in ranges] == ["%{ for s in xs ~}", "%{ endfor ~}", "${s}"]
    assert placeholder_ranges(text)[0].startswith("[\n%{")


# (Strings without "$": inside a string the linter's scan reads a "${" up to the next "}", wherever it is.)
_values = st.recursive(
    st.none() | st.integers() | st.text(alphabet='ab"\\ {}', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("ab", max_size=2), inner, max_size=3),
    max_leaves=8,
)


@given(_values, st.lists(st.sampled_from(["${X}", "${Long.Name}", "${A::B}"]), min_size=1, max_size=3))
def test_both_callers_keep_every_offset_and_give_json(value: object, names: list[str]) -> None:
    text = json.dumps([value, *("@" for _ in names)])
    for name in names:
        text = text.replace('"@"', name, 1)
    for fixed in (neutralize_placeholders(text)[0], placeholder_ranges(text)[0]):
        assert len(fixed) == len(text)
        assert json.loads(fixed)[0] == value
