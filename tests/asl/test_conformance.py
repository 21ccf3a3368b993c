"""Every definition of the shared ASL corpus, checked against its label (deviations listed with reasons)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from support.shared import shared_path

import tamis
from tamis.asl import validate_asl_file

DEVIATIONS = Path(__file__).with_name("deviations.json")


def _rows() -> list[dict[str, object]]:
    index = shared_path("conformance", "asl", "index.jsonl")
    return [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]


def _deviations() -> dict[str, dict[str, object]]:
    data = json.loads(DEVIATIONS.read_text(encoding="utf-8"))
    return {d["file"]: d for d in data["deviations"]}


def _verdict(path: Path) -> bool:
    diags = tamis.validate_asl(path.read_bytes(), source=str(path))
    return not any(d.severity == "error" for d in diags)


def test_deviation_list_is_short_and_explained() -> None:
    devs = _deviations()
    assert len(devs) <= 15
    for name, entry in devs.items():
        assert isinstance(entry["reason"], str) and len(entry["reason"]) > 40, name
        assert isinstance(entry["tamis_valid"], bool), name


def test_corpus_agrees_with_labels() -> None:
    root = shared_path("conformance", "asl")
    devs = _deviations()
    disagreements: list[str] = []
    stale: list[str] = []
    per_basis: Counter[str] = Counter()
    agree_basis: Counter[str] = Counter()
    for row in _rows():
        name = str(row["file"])
        ours = _verdict(root / name)
        basis = str(row["label_basis"]).split(" ")[0]
        per_basis[basis] += 1
        if ours == row["valid"]:
            agree_basis[basis] += 1
            if name in devs:
                stale.append(name)
        elif name not in devs:
            disagreements.append(f"{name}: label valid={row['valid']}, tamis valid={ours}")
        else:
            assert devs[name]["tamis_valid"] == ours, name
    assert not disagreements, "\n".join(disagreements)
    assert not stale, f"listed as deviations but tamis now agrees: {stale}"
    # Every AWS-verified label is matched without exception.
    assert agree_basis["aws-verified"] == per_basis["aws-verified"] > 0


def test_invalid_files_are_rejected_with_a_located_error() -> None:
    root = shared_path("conformance", "asl")
    for row in _rows():
        if row["valid"] or row["file"] in _deviations():
            continue
        path = root / str(row["file"])
        errors = [d for d in tamis.validate_asl(path.read_bytes(), source=path.name) if d.severity == "error"]
        assert errors, row["file"]
        assert all(d.pointer.startswith("/") for d in errors)
        # Text input always yields a line and column for the first error.
        assert errors[0].line is not None and errors[0].column is not None, row["file"]


EMBEDDED = [
    "terraform_templatefile_lambda_invoke.asl.json.tftpl",
    "cfn_definitionstring_fn_sub.yaml",
    "cfn_definition_object_with_substitutions.yaml",
    "sam_definitionuri_substitutions.yaml",
    "unquoted_numeric_placeholder.asl.json",
]


@pytest.mark.parametrize("name", EMBEDDED)
def test_embedded_definitions_are_valid_before_rendering(name: str) -> None:
    path = shared_path("conformance", "asl", "embedded", name)
    diags = validate_asl_file(path)
    errors = [d for d in diags if d.severity == "error"]
    if name == "sam_definitionuri_substitutions.yaml":
        # The corpus ships this template without the file its DefinitionUri names: that, and only that,
        # is reported (the definition itself cannot be read).
        assert [d.code for d in errors] == ["ASL007"], diags
        return
    assert not errors, diags


@pytest.mark.parametrize(
    "name", ["terraform_templatefile_lambda_invoke.asl.json.tftpl", "unquoted_numeric_placeholder.asl.json"]
)
def test_unquoted_placeholder_is_reported_where_it_stands(name: str) -> None:
    path = shared_path("conformance", "asl", "embedded", name)
    text = path.read_text(encoding="utf-8")
    warnings = [d for d in validate_asl_file(path) if d.code == "ASL401"]
    assert warnings
    for w in warnings:
        assert w.line is not None and w.column is not None
        line = text.splitlines()[w.line - 1]
        assert line[w.column - 1 : w.column + 1] == "${"


def test_embedded_definitions_are_found_in_templates() -> None:
    from tamis.compiler.asl.sources import load_definitions

    path = shared_path("conformance", "asl", "embedded", "cfn_definitionstring_fn_sub.yaml")
    defs = load_definitions(path.read_text(encoding="utf-8"), source=str(path))
    assert len(defs) == 1 and defs[0].name == "StateMachine"
    assert defs[0].value["StartAt"] in defs[0].value["States"]


def test_standard_library_reader_gives_the_same_diagnostics() -> None:
    from tamis.compiler.asl.sources import JsonReader

    root = shared_path("conformance", "asl")
    files = [root / str(row["file"]) for row in _rows()][::4]
    fast = [tamis.validate_asl(p.read_bytes()) for p in files]
    JsonReader.fast = False
    try:
        slow = [tamis.validate_asl(p.read_bytes()) for p in files]
    finally:
        JsonReader.fast = True
    assert fast == slow
