"""grammar/located_yaml: values, CloudFormation short tags, positions, and character-exact string mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tamis.errors import TamisError
from tamis.grammar.located_yaml import parse_yaml, parse_yaml_all


def where(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of needle."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def test_short_tags_become_long_forms() -> None:
    text = (
        "A: !Ref Bucket\n"
        "B: !GetAtt Fn.Arn\n"
        "C: !Sub 'arn:${AWS::Partition}:s3:::x'\n"
        "D: !Join ['', [a, !Ref B]]\n"
        "E: !If [Cond, {x: 1}, !Ref AWS::NoValue]\n"
        "F: !Condition IsProd\n"
        "G: !GetAtt [Fn, Arn]\n"
    )
    v = parse_yaml(text).value
    assert v["A"] == {"Ref": "Bucket"}
    assert v["B"] == {"Fn::GetAtt": ["Fn", "Arn"]}
    assert v["C"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::x"}
    assert v["D"] == {"Fn::Join": ["", ["a", {"Ref": "B"}]]}
    assert v["E"] == {"Fn::If": ["Cond", {"x": 1}, {"Ref": "AWS::NoValue"}]}
    assert v["F"] == {"Condition": "IsProd"}
    assert v["G"] == {"Fn::GetAtt": ["Fn", "Arn"]}


def test_scalars_follow_yaml_but_dates_stay_text_and_decimals_stay_exact() -> None:
    v = parse_yaml("a: 1\nb: 2.50\nc: 2010-09-09\nd: true\ne: ~\nf: '7'\ng: -0.1\n").value
    assert v == {
        "a": 1,
        "b": Decimal("2.50"),
        "c": "2010-09-09",
        "d": True,
        "e": None,
        "f": "7",
        "g": Decimal("-0.1"),
    }
    assert isinstance(v["a"], int)
    assert str(v["b"]) == "2.50"


def test_positions_of_values_and_keys() -> None:
    text = 'Resources:\n  Rule:\n    Properties:\n      Pattern:\n        source: ["a", "b"]\n'
    doc = parse_yaml(text)
    path = ("Resources", "Rule", "Properties", "Pattern", "source", 1)
    assert doc.position(path) == where(text, '"b"')
    assert doc.position(path[:-1], key=True) == where(text, "source:")
    # an unknown path falls back to its nearest ancestor
    assert doc.position((*path[:-1], 7)) == where(text, '["a"')


def test_duplicates_and_merge_keys() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nm2: 1\nm2: 2\n")
    assert doc.value["m"] == {"x": 1, "y": 3}
    assert [d[0] for d in doc.duplicates] == [("m2",)]


def test_multiple_documents() -> None:
    docs = parse_yaml_all("a: 1\n---\nb: !Ref X\n")
    assert [d.value for d in docs] == [{"a": 1}, {"b": {"Ref": "X"}}]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: [1, 2\nb: 3\n", 2, 2), ("a: 'open\n", 2, 1), ("a:\n  - 1\n b: 2\n", 3, 2)],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    with pytest.raises(TamisError) as info:
        parse_yaml(text, source="t.yaml")
    assert info.value.line == line
    assert info.value.rule == "yaml"
    assert info.value.source == "t.yaml"


def _check_offsets(text: str, path: tuple[str, ...]) -> None:
    doc = parse_yaml(text)
    value = doc.value_at(path)
    offsets = doc.string_offsets(path)
    assert offsets is not None, (text, value)
    assert len(offsets) == len(value) + 1
    assert offsets == sorted(offsets)
    for i, ch in enumerate(value):
        src = text[offsets[i]]
        # A character is written as itself, or it starts an escape, or it is a folded line break.
        assert src == ch or src in "\\'\n", (i, ch, src)


def test_block_scalar_offsets_point_into_the_block() -> None:
    text = 'P: !Sub |\n  {\n    "source": ["${AWS::Region}"],\n    "n": [1]\n  }\nQ: 1\n'
    doc = parse_yaml(text)
    path = ("P", "Fn::Sub")
    offsets = doc.string_offsets(path)
    assert offsets is not None
    inner = doc.value_at(path).index('"n"')
    assert doc.line_col(offsets[inner]) == where(text, '"n"')
    _check_offsets(text, path)


def test_quoted_scalar_offsets_account_for_escapes() -> None:
    text = 'a: "{\\"x\\": \\"\\u00e9\\", \\"y\\": 1}"\nb: \'{"it\'\'s": [2]}\'\n'
    doc = parse_yaml(text)
    value = doc.value_at(("a",))
    offsets = doc.string_offsets(("a",))
    assert offsets is not None
    assert doc.line_col(offsets[value.index("1")]) == where(text, "1}")
    value_b = doc.value_at(("b",))
    offsets_b = doc.string_offsets(("b",))
    assert offsets_b is not None
    assert doc.line_col(offsets_b[value_b.index("2")]) == where(text, "2]")


_json_chars = st.text(alphabet=st.sampled_from(list("{}[]\":,abc xyz019\\'é$")), min_size=1, max_size=40)


@given(value=_json_chars, style=st.sampled_from(['"', "'", "|"]))
def test_string_offsets_round_trip_every_style(value: str, style: str) -> None:
    # PyYAML writes the value in the given style (it may pick another when the style cannot hold it).
    text = yaml.safe_dump({"k": value}, default_style=style, allow_unicode=True, width=10_000)
    doc = parse_yaml(text)
    assert doc.value_at(("k",)) == value
    offsets = doc.string_offsets(("k",))
    if offsets is None:  # only for shapes the mapper declines (it never guesses)
        return
    assert len(offsets) == len(value) + 1
    for i, ch in enumerate(value):
        src = text[offsets[i]]
        assert src == ch or src in "\\'\n", (text, i, ch, src)


@given(value=st.text(alphabet=st.sampled_from(list('{}[]":,abc019')), min_size=1, max_size=60))
def test_literal_block_scalars_always_map(value: str) -> None:
    body = "\n".join("    " + line for line in (value + "\nend").split("\n"))
    text = f"k: |\n{body}\n"
    doc = parse_yaml(text)
    offsets = doc.string_offsets(("k",))
    assert offsets is not None
    got = doc.value_at(("k",))
    for i, ch in enumerate(got):
        assert text[offsets[i]] == ch


def test_alias_bombs_are_rejected_not_expanded_forever() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(TamisError) as info:
        parse_yaml("\n".join(lines) + "\n")
    assert info.value.rule == "yaml-size"
    assert info.value.line is not None
