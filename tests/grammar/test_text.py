"""grammar/text: UTF-8 decoding with located errors, and the one offset <-> (line, column) index."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamis.errors import DefinitionError
from tamis.grammar.text import LineIndex, NotUTF8, decode, decode_or_raise, line_col


def _counted(text: str | bytes, offset: int) -> tuple[int, int]:
    newline = b"\n" if isinstance(text, bytes) else "\n"
    return text.count(newline, 0, offset) + 1, offset - (text.rfind(newline, 0, offset) + 1) + 1  # type: ignore[arg-type]


@given(st.text(alphabet="ab\n\ré", max_size=40))
def test_counting_and_the_table_agree_on_every_offset(text: str) -> None:
    counting, table = LineIndex(text), LineIndex(text)
    table.starts  # noqa: B018 - built now: every lookup below bisects
    for offset in range(len(text) + 1):
        assert counting.line_col(offset) == table.line_col(offset) == _counted(text, offset)
        line, column = table.line_col(offset)
        assert table.offset(line, column) == offset
    data = text.encode()
    for offset in range(len(data) + 1):
        assert line_col(data, offset) == _counted(data, offset)


def test_line_text_and_offset_clamp() -> None:
    index = LineIndex("ab\r\ncd\n")
    assert [index.line_text(n) for n in (0, 1, 2, 3, 4)] == ["", "ab", "cd", "", ""]
    assert index.offset(2, 1) == 4
    assert index.offset(9, 9) == 7  # past the end: the end
    assert index.offset(0, 0) == 0


def test_decode_drops_a_byte_order_mark_and_locates_bad_bytes() -> None:
    assert decode(b"\xef\xbb\xbf{}") == decode("\ufeff{}") == "{}"
    with pytest.raises(NotUTF8) as info:
        decode(b'{\n  "a": "\xff"}')
    assert (info.value.offset, info.value.line, info.value.column) == (10, 2, 9)


def test_decode_or_raise_locates_only_when_asked() -> None:
    with pytest.raises(DefinitionError) as info:
        decode_or_raise(b"x\n\xfe", error=DefinitionError, source="d.json", rule="encoding")
    err = info.value
    assert (err.message, err.line, err.column, err.source, err.rule) == (
        "input is not valid UTF-8",
        2,
        1,
        "d.json",
        "encoding",
    )
    with pytest.raises(DefinitionError) as info:
        decode_or_raise(b"x\n\xfe", error=DefinitionError, source="d.json", rule="encoding", located=False)
    assert (info.value.line, info.value.column) == (None, None)
