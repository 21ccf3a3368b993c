"""`tamis lint` and `tamis validate-asl` are two front doors to one validator: on every definition of the
shared ASL corpus, as JSON and as YAML, they report the same findings at the same places."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support.shared import shared_path

import tamis
from tamis.asl import validate_asl_file
from tamis.lint import LintResult, lint
from tamis.lint.kinds import detect_kind, kind_by_name

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


# -- whole repositories: templates, the files they name, stand-alone definitions ---------------------------

ROOT = Path(__file__).resolve().parents[2]
# ASL's codes; lint's (LNT*) and other languages' codes have no validate-asl counterpart.
_ASL_CODE = re.compile(r"ASL\d{3}")
# A placeholder where JSON needs a value: validate-asl, which checks one file as written, warns of it;
# lint accepts it in a file it reads as a template (docs/lint.md: "${...} placeholders are accepted, quoted
# or not"), and so does not report it. Every other code must agree.
_LINT_ACCEPTS = {"ASL401"}

Located = tuple[str, str, int | None]  # (file relative to the folder, code, line)


def _asl_entries(folder: Path) -> list[Path]:
    """The files validate-asl is run on: every template declaring a state machine, and every definition
    no template names (a Terraform templatefile() input stands for its main.tf, which validate-asl cannot
    read)."""
    from tamis.grammar import cloudformation as cfn
    from tamis.grammar.located_yaml import parse_yaml

    templates, definitions, named = [], [], set()
    for path in sorted(folder.rglob("*")):
        name = path.name.lower()
        if not path.is_file() or not name.endswith((".json", ".yaml", ".yml", ".tftpl")):
            continue
        text = path.read_text(encoding="utf-8")
        if kind_by_name(path.name) == "state-machine":
            definitions.append(path)
            continue
        try:
            value = json.loads(text) if name.endswith(".json") else parse_yaml(text).value
        except Exception:  # not a document lint reads as a state machine or a template
            continue
        machines = [r for r in cfn.resources(value) if r.type in cfn.STATE_MACHINE_TYPES]
        if machines:
            templates.append(path)
            for r in machines:
                uri = cfn.definition_file(r.properties)
                if uri is not None:
                    named.add((path.parent / uri).resolve())
        elif detect_kind(value, path.name) == "state-machine":
            definitions.append(path)
    return templates + [p for p in definitions if p.resolve() not in named]


def _relative(folder: Path, source: str | None, fallback: Path) -> str:
    path = Path(source) if source else fallback
    path = path if path.is_absolute() else folder / path
    return path.resolve().relative_to(folder.resolve()).as_posix()


def _repository_findings(folder: Path) -> tuple[set[Located], set[Located]]:
    """ASL findings of validate-asl over the folder's entries, and of `tamis lint` over the folder."""
    direct: set[Located] = set()
    for path in _asl_entries(folder):
        for d in validate_asl_file(path):
            if d.code not in _LINT_ACCEPTS:
                direct.add((_relative(folder, d.source, path), d.code, d.line))
    # A DefinitionUri naming no file is lint's LNT005 and validate-asl's ASL007.
    renamed = {"LNT005": "ASL007"}
    linted = {
        (_relative(folder, d.source, folder), renamed.get(d.code, d.code), d.line)
        for d in lint([folder], cwd=folder).diagnostics
        if _ASL_CODE.fullmatch(renamed.get(d.code, d.code))
    }
    return direct, linted


def _repositories() -> list[tuple[str, Path]]:
    found = [(f"examples/{p.name}", p) for p in sorted((ROOT / "examples").iterdir()) if p.is_dir()]
    try:
        embedded = shared_path("conformance", "asl", "embedded")
    except pytest.skip.Exception:
        return found
    return [*found, ("shared/conformance/asl/embedded", embedded)]


@pytest.mark.parametrize(("name", "folder"), _repositories(), ids=[n for n, _ in _repositories()])
def test_lint_and_validate_asl_agree_on_repositories(name: str, folder: Path) -> None:
    direct, linted = _repository_findings(folder)
    assert direct == linted, f"{name}: validate-asl {sorted(direct, key=str)}, lint {sorted(linted, key=str)}"
    if name == "examples/claims-sam":  # the documented mistakes in the DefinitionUri file are among them
        assert {c for _, c, _ in direct} >= {"ASL201"}


def test_lint_and_validate_asl_agree_on_what_a_template_says(tmp_path: Path) -> None:
    """The type and substitutions a template gives its machines count alike in both front doors."""
    (tmp_path / "template.yaml").write_text(
        """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Uri:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      DefinitionUri: machine.asl.json
      DefinitionSubstitutions: {Queue: q}
  Inline:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: EXPRESS
      DefinitionString: !Sub |
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Next": "B",
          "Resource": "arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken"},
          "B": {"Type": "Pass", "Result": "${Nowhere}", "End": true}}}
""",
        encoding="utf-8",
    )
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "${Queue}", "MessageBody": "${Body}"},
                "End": True,
            }
        },
    }
    (tmp_path / "machine.asl.json").write_text(json.dumps(definition, indent=2), encoding="utf-8")
    direct, linted = _repository_findings(tmp_path)
    assert direct == linted
    assert direct == {
        ("machine.asl.json", "ASL106", 6),
        ("machine.asl.json", "ASL402", 9),
        ("template.yaml", "ASL106", 15),
        ("template.yaml", "ASL402", 16),
    }
