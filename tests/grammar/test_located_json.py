from decimal import Decimal

import pytest

from tamis.errors import TamisError
from tamis.grammar.located_json import parse_json


def test_positions_and_exact_numbers() -> None:
    doc = parse_json('{"a": [1, 2.50, {"b": null}],\n "c": 3e2}', source="f.json")
    assert doc.value == {"a": [1, Decimal("2.50"), {"b": None}], "c": Decimal("3e2")}
    assert doc.position(("a", 2, "b")) == (1, 23)
    assert doc.position(("c",)) == (2, 7)
    assert doc.position(("c",), key=True) == (2, 2)
    assert doc.raw(("a", 1)) == "2.50"


def test_duplicate_keys_last_wins_and_are_recorded() -> None:
    doc = parse_json('{"a": 1, "a": 2}')
    assert doc.value == {"a": 2}
    assert [d[0] for d in doc.duplicates] == [("a",)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a":["x"', 1, 10, "end of input"),
        ("{'a':['x']}", 1, 2, "double quotes"),
        ('{"a": 01}', 1, 8, "unexpected"),
        ("[1,]", 1, 4, "unexpected"),
        ('{"a":1}\n x', 2, 2, "unexpected character"),
        ('"\\q"', 1, 2, "escape"),
        (b'"\xff"', 1, 2, "UTF-8"),
    ],
)
def test_bad_json_is_located(text: str | bytes, line: int, column: int, words: str) -> None:
    with pytest.raises(TamisError) as info:
        parse_json(text, source="p.json")
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert words in err.message
    assert str(err).startswith(f"p.json:{line}:{column}: ")


def test_nesting_limit_is_an_error_not_a_crash() -> None:
    with pytest.raises(TamisError, match="nesting"):
        parse_json("[" * 600 + "]" * 600)


# The compilers take a fast path through the C decoder for text the Lark grammar accepts; the two must
# agree on what is JSON and on the values, or positions and verdicts could drift apart.
import json  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tamis.json_number import JSONNumber  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
_fragments = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"a"',
        '"\\u00e9"',
        '"\\q"',
        "1",
        "-0",
        "01",
        "1.5e3",
        ".5",
        "true",
        "nul",
        "null",
        " ",
        "\n",
        "\f",
        "\t",
        "NaN",
        "Infinity",
        '"x\ty"',
        "'a'",
        "1e400",
        '"\\ud800"',
    ]
)


def _reference(text: str) -> object:
    def reject(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, parse_float=JSONNumber, parse_constant=reject)


@given(_json_values)
def test_lark_and_c_decoder_agree_on_valid_json(value: object) -> None:
    text = json.dumps(value)
    assert parse_json(text).value == _reference(text)


@given(st.lists(_fragments, max_size=10).map("".join))
def test_lark_and_c_decoder_agree_on_what_is_json(text: str) -> None:
    try:
        expected = _reference(text)
    except (ValueError, RecursionError):
        expected = None
        with pytest.raises(TamisError):
            parse_json(text)
        return
    assert parse_json(text).value == expected


def test_string_offsets_map_each_character_back_through_escapes() -> None:
    text = '{"k": "a\\n\\u00e9\\ud83d\\ude00b", "n": 1}'
    doc = parse_json(text)
    value = doc.value["k"]
    offsets = doc.string_offsets(("k",))
    assert offsets is not None and len(offsets) == len(value) + 1
    assert [text[o : o + 2] for o in offsets[:-1]] == ["a\\", "\\n", "\\u", "\\u", 'b"']
    assert text[offsets[-1]] == '"'  # the end: the closing quote
    assert doc.string_offsets(("n",)) is None and doc.string_offsets(("missing",)) is None
