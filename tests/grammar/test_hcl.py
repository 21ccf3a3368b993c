"""grammar/hcl: HCL parsed with positions; strings and heredocs decoded with each character's offset."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lark.exceptions import UnexpectedInput

from tamis.grammar import hcl

TEXT = """\
locals {
  x = 1
}

resource "aws_cloudwatch_event_rule" "r" {
  event_pattern = "{\\"a\\": [\\"\\u00e9\\", \\"$${lit}\\", \\"${var.v}\\"]}"
  nested {
    deep = <<-EOT
      {"b": [2]}
    EOT
  }
}
"""


def _where(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _body() -> tuple[dict[str, object], list[hcl.Block]]:
    body = hcl.top_body(hcl.parse_hcl(TEXT))
    assert body is not None
    return hcl.read_body(TEXT, body)


def test_blocks_labels_and_attributes() -> None:
    attrs, blocks = _body()
    assert attrs == {}
    assert [(b.kind, b.labels) for b in blocks] == [
        ("locals", []),
        ("resource", ["aws_cloudwatch_event_rule", "r"]),
    ]
    resource = blocks[1]
    assert set(resource.attrs) == {"event_pattern"} and [b.kind for b in resource.blocks] == ["nested"]
    assert hcl.line(resource.node) == 5
    value = hcl.unwrap(hcl.attribute_value(resource.attrs["event_pattern"]))
    assert value.data == "string"
    assert hcl.position(value) == _where(TEXT, '"{')
    assert TEXT[hcl.start(value) : hcl.end(value)].startswith('"{') and TEXT[hcl.end(value) - 1] == '"'


def test_string_value_decodes_escapes_and_keeps_offsets() -> None:
    _, blocks = _body()
    node = hcl.unwrap(hcl.attribute_value(blocks[1].attrs["event_pattern"]))
    value, offsets, interpolated = hcl.string_value(TEXT, node)
    assert value == '{"a": ["é", "${lit}", "${var.v}"]}'
    assert interpolated  # ${var.v}; $${lit} is a literal ${
    assert len(offsets) == len(value) + 1
    assert TEXT[offsets[value.index("é")] :].startswith("\\u00e9")
    assert TEXT[offsets[value.index("${lit}")] :].startswith("$${lit}")
    assert hcl.string_literal(TEXT, node) is None  # interpolated: not a literal


def test_heredoc_strips_indentation_and_maps_back() -> None:
    _, blocks = _body()
    node = hcl.unwrap(hcl.attribute_value(blocks[1].blocks[0].attrs["deep"]))
    value, offsets = hcl.heredoc_value(node)
    assert value == '{"b": [2]}\n'
    assert TEXT[offsets[value.index("2")]] == "2"
    assert offsets[value.index("{")] == TEXT.index('{"b"')


def test_labels_are_string_literals() -> None:
    text = 'block "a\\tb" c {\n}\n'
    body = hcl.top_body(hcl.parse_hcl(text))
    assert body is not None
    _, [block] = hcl.read_body(text, body)
    assert block.labels == ["a\tb", "c"]


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("1.50", Decimal("1.50")), ("1e3", Decimal("1e3"))])
def test_numbers_stay_exact(text: str, value: object) -> None:
    assert hcl.number(text) == value and type(hcl.number(text)) is type(value)


def test_syntax_errors_carry_a_position() -> None:
    with pytest.raises(UnexpectedInput) as info:
        hcl.parse_hcl('resource "x" "y" {\n  a = {{\n')
    assert info.value.line >= 2


def test_heredoc_end_marker_with_trailing_blanks_keeps_offsets() -> None:
    text = 'a = <<EOF\n{"x": 1}\nEOF  \nb = <<-EOT\n  y\n  EOT\t\r\nc = "EOF  "\n'
    fixed = hcl.fix_heredoc_markers(text)
    assert len(fixed) == len(text)
    assert fixed == text.replace("EOF  \n", "  EOF\n").replace("  EOT\t\r\n", "\t  EOT\r\n")
    attrs, _ = hcl.read_body(text, hcl.top_body(hcl.parse_hcl(text)))  # type: ignore[arg-type]
    value, offsets = hcl.heredoc_value(hcl.unwrap(hcl.attribute_value(attrs["a"])))
    assert value == '{"x": 1}\n'
    assert text[offsets[1]] == '"' and offsets[1] == text.index('"x"')
    assert hcl.fix_heredoc_markers("x = 1\n") == "x = 1\n"


def test_top_level_segments_parse_one_block_at_a_time() -> None:
    text = 'a "x" {\n  v = <<EOF\nb "y" {\nEOF\n}\nb "z" {\n  w = [1,\n}\nc {\n  u = 2\n}\n'
    segments = hcl.top_level_segments(text)
    # no cut inside the heredoc; one before each block
    assert [text[a:b].split("{")[0] for a, b in segments] == ['a "x" ', 'b "z" ', "c "]
    with pytest.raises(UnexpectedInput):
        hcl.parse_segment(text, *segments[1])
    tree = hcl.parse_segment(text, *segments[2])
    _attrs, blocks = hcl.read_body(text, hcl.top_body(tree))  # type: ignore[arg-type]
    assert [b.kind for b in blocks] == ["c"]
    assert hcl.position(blocks[0].attrs["u"]) == (10, 3)
