"""tamis lint never skips in silence and never floods: an over-size file is a diagnostic naming the limit,
and a long source line is echoed cut around the column."""

from __future__ import annotations

import json
from pathlib import Path

from tamis.lint import lint
from tamis.lint.output import CONTEXT_WIDTH, context_line, format_text
from tamis.lint.run import MAX_BYTES


def big_machine(size: int) -> str:
    states = {"A": {"Type": "Pass", "End": True, "Comment": "x" * size}}
    return json.dumps({"StartAt": "A", "States": states})


def test_an_over_size_state_machine_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "big.asl.json").write_text(big_machine(11 * 1024 * 1024))
    (tmp_path / "data.json").write_text(json.dumps({"rows": ["x" * (MAX_BYTES + 1)]}))
    result = lint([str(tmp_path)], cwd=tmp_path)
    found = {(Path(d.source or "").name, d.code, d.severity) for d in result.diagnostics}
    # named as a state machine: an error; a large data file met on the way: a note, still not silent
    assert ("big.asl.json", "LNT006", "error") in found
    assert ("data.json", "LNT006", "info") in found
    assert result.exit_code == 1
    (diag,) = [d for d in result.diagnostics if d.source and d.source.endswith("big.asl.json")]
    assert f"{MAX_BYTES:,}" in diag.message
    named = lint([str(tmp_path / "data.json")], cwd=tmp_path)
    assert [(d.code, d.severity) for d in named.diagnostics] == [("LNT006", "error")]


def test_a_long_line_is_cut_around_the_column(tmp_path: Path) -> None:
    # a minified 2 MB definition on one line, with its mistake far along it
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}", "Comment": "y" * 50} for i in range(20_000)}
    states["S20000"] = {"Type": "Pass", "Next": "Nowhere"}
    text = json.dumps({"StartAt": "S0", "States": states}, separators=(",", ":"))
    assert len(text) > 2_000_000 and "\n" not in text
    (tmp_path / "wide.asl.json").write_text(text)
    result = lint([str(tmp_path)], cwd=tmp_path)
    assert result.diagnostics
    output = format_text(result.diagnostics, result.texts)
    context = [line for line in output.splitlines() if line.startswith("    ") and line.strip() != "^"]
    assert context and all(len(line) <= 4 + CONTEXT_WIDTH + 6 for line in context)
    assert all("..." in line for line in context)
    assert any("Nowhere" in line for line in context)  # the column of the missing target is in view


def test_context_line_keeps_the_caret_on_its_character() -> None:
    line = "a" * 500 + "X" + "b" * 500
    shown, caret = context_line(line, 500)
    assert shown[caret] == "X" and shown.startswith("...") and shown.endswith("...")
    assert len(shown) == CONTEXT_WIDTH + 6
    shown, caret = context_line(line, 3)
    assert shown[caret] == "a" and not shown.startswith("...") and shown.endswith("...")
    shown, caret = context_line(line, len(line) - 1)
    assert shown[caret] == "b" and shown.startswith("...") and not shown.endswith("...")
    assert context_line("short", 2) == ("short", 2)
