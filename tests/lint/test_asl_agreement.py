"""`tamis lint` and `tamis validate-asl` are two front doors to one validator: on every definition of the
shared ASL corpus, as JSON and as YAML, they report the same findings at the same places."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support.shared import shared_path

import tamis
from tamis.lint import LintResult, lint

Finding = tuple[str, int | None, int | None]


def _corpus(tmp: Path) -> tuple[Path, Path]:
    """The corpus's definitions copied as ``*.asl.json`` (as written) and ``*.asl.yaml`` (the same value)."""
    as_json, as_yaml = tmp / "json", tmp / "yaml"
    as_json.mkdir()
    as_yaml.mkdir()
    root = shared_path("conformance", "asl")
    for folder in ("valid", "invalid"):
        for path in sorted((root / folder).glob("*.json")):
            data = path.read_bytes()
            (as_json / f"{path.stem}.asl.json").write_bytes(data)
            try:
                value = json.loads(data)
            except ValueError:  # malformed JSON exists only as text
                continue
            text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
            (as_yaml / f"{path.stem}.asl.yaml").write_text(text, encoding="utf-8")
    return as_json, as_yaml


def _by_file(result: LintResult) -> dict[str, set[Finding]]:
    out: dict[str, set[Finding]] = {}
    for d in result.diagnostics:
        out.setdefault(Path(d.source or "").name, set()).add((d.code, d.line, d.column))
    return out


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_lint_and_validate_asl_agree_on_the_corpus(tmp_path: Path, form: str) -> None:
    folders = dict(zip(("json", "yaml"), _corpus(tmp_path), strict=True))
    folder = folders[form]
    linted = _by_file(lint([folder], cwd=folder))
    files = sorted(folder.iterdir())
    assert len(files) > 500
    differ = []
    for path in files:
        raw = path.read_bytes()
        if b"${" in raw:
            # a stand-alone file with ${...} is a template to the lint (its placeholders are "unresolved"
            # notes); validate-asl checks it as written
            continue
        direct = {(d.code, d.line, d.column) for d in tamis.validate_asl(raw, source=path.name)}
        via_lint = linted.get(path.name, set())
        if direct != via_lint:
            ours, theirs = sorted(direct, key=str), sorted(via_lint, key=str)
            differ.append(f"{path.name}: validate-asl {ours}, lint {theirs}")
    assert not differ, "\n".join(differ[:10])
