"""A file tamis lint cannot decode is reported, never passed over in silence."""

from __future__ import annotations

from pathlib import Path

from tamis.lint import lint


def test_undecodable_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "machine.asl.json").write_bytes(b'{"StartAt": "\xff"}')
    (tmp_path / "template.yaml").write_bytes(b"Resources:\n  R:\n    Type: AWS::Events::Rule\n  X: \xfe\n")
    result = lint([str(tmp_path)], cwd=tmp_path)
    found = {(Path(d.source or "").name, d.severity, d.line, d.column) for d in result.diagnostics}
    # named by its suffix as a state machine: an error; a YAML file of unknown kind: a warning
    assert ("machine.asl.json", "error", 1, 14) in found
    assert ("template.yaml", "warning", 4, 6) in found
    assert all(d.code == "LNT004" for d in result.diagnostics)
    assert result.exit_code == 1
    # named on the command line, it is an error too
    named = lint([str(tmp_path / "template.yaml")], cwd=tmp_path)
    assert [(d.code, d.severity) for d in named.diagnostics] == [("LNT004", "error")]
