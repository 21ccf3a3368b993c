"""tamis lint on Terraform: terraform-aws-modules module arguments, dynamic blocks, variable defaults and
locals of the whole folder, heredoc end markers followed by blanks, and files with one broken block."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tamis.errors import Diagnostic
from tamis.lint import LintResult, lint
from tamis.lint.terraform import module_name

FIXTURES = Path(__file__).with_name("fixtures") / "terraform"


def lint_fixture(tmp_path: Path, name: str) -> LintResult:
    shutil.copytree(FIXTURES / name, tmp_path / name)
    return lint([name], cwd=tmp_path)


def where(root: Path, name: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of ``needle`` in a file."""
    text = (root / name).read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def found(result: LintResult, severity: str) -> set[tuple[str, int | None, int | None, str]]:
    return {(d.source, d.line, d.column, d.code) for d in result.diagnostics if d.severity == severity}


def by_code(result: LintResult, code: str) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.code == code]


def test_module_arguments_are_checked(tmp_path: Path) -> None:
    result = lint_fixture(tmp_path, "modules")
    tf, loc = "modules/main.tf", "modules/locals.tf"

    def at(needle: str, name: str = tf, nth: int = 1) -> tuple[int, int]:
        return where(tmp_path, name, needle, nth)

    assert found(result, "error") == {
        # eventbridge: rules (one of two is wrong), archives, pipes' source_parameters.filter_criteria
        (tf, *at("7 }] })"), "EVT206"),
        (tf, *at('"1"'), "EVT221"),
        (tf, *at("1 }] }"), "EVT206"),
        # lambda (a git URL source): a list of filters, and one filter whose pattern is a local of
        # another file of the folder, reported where that local is written
        (tf, *at("2 }] }"), "EVT207"),
        (loc, *at("5}", loc), "EVT206"),
        # sns: a nested object is an error with the default scope, fine with MessageBody
        (tf, *at("{ b =", nth=2), "EVT106"),
        (tf, *at("{ Name"), "DP108"),
        # step-functions: the definition heredoc
        (tf, *at('"Nowhere"'), "ASL201"),
    }
    # a module argument known only from the caller is a note, never a silent skip; a module that is not
    # one of these (terraform-aws-modules/vpc) is not read
    assert found(result, "info") == {
        (tf, *at("var.rules"), "LNT201"),
        (tf, *at("var.filters"), "LNT201"),
    }
    notes = {(d.line, d.column): d.message for d in by_code(result, "LNT201")}
    assert "var.rules has no default: its value is set by the module's caller" in notes[at("var.rules")]
    assert "var.filters is not declared in this folder" in notes[at("var.filters")]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("terraform-aws-modules/eventbridge/aws", "eventbridge"),
        ("registry.terraform.io/terraform-aws-modules/sns/aws", "sns"),
        ("terraform-aws-modules/step-functions/aws//modules/x", "step-functions"),
        ("git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.0.0", "lambda"),
        ("github.com/terraform-aws-modules/terraform-aws-eventbridge", "eventbridge"),
        ("git@github.com:terraform-aws-modules/terraform-aws-sns.git", "sns"),
        ("./modules/eventbridge", None),
        ("someone/eventbridge/aws", None),
    ],
)
def test_module_sources(source: str, name: str | None) -> None:
    assert module_name(source) == name


def test_dynamic_blocks_variables_and_locals_of_the_folder(tmp_path: Path) -> None:
    result = lint_fixture(tmp_path, "values")
    tf, var = "values/main.tf", "values/variables.tf"

    def at(needle: str, name: str = tf) -> tuple[int, int]:
        return where(tmp_path, name, needle)

    assert found(result, "error") == {
        # a literal pattern in a dynamic block's content
        (tf, *at("9 }"), "EVT206"),
        # var.pattern's default, a whole value, reported where the default is written
        (var, *at("1}]}", var), "EVT207"),
        # ${var.n} (a default of 4) substituted in a heredoc: the error is at the interpolation;
        # ${local.src} (another file's local) is substituted too, and ${var.unset} stays a placeholder
        (tf, *at("${var.n}"), "EVT206"),
        # jsonencode of a variable's default: located at the reference
        (tf, *at("var.sources"), "EVT211"),
    }
    notes = {(d.line, d.column): d.message for d in result.diagnostics if d.severity == "info"}
    assert set(notes) == {at("filter.value"), at("local.nowhere")}
    assert "known only at plan time" in notes[at("filter.value")]
    assert "local.nowhere is not defined in this folder" in notes[at("local.nowhere")]


def test_interpolated_locals_are_substituted(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudwatch_event_rule" "r" {\n'
        '  event_pattern = "{\\"source\\": [{\\"prefix\\": ${local.n}}]}"\n'
        "}\n"
        'locals {\n  n = "[1]"\n}\n',
        encoding="utf-8",
    )
    result = lint(["main.tf"], cwd=tmp_path)
    # the local's value, substituted, makes the pattern's prefix a list: an error at the interpolation
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [
        ("EVT206", *where(tmp_path, "main.tf", "${local.n}"))
    ]


def test_heredoc_markers_with_trailing_blanks_and_a_broken_block(tmp_path: Path) -> None:
    result = lint_fixture(tmp_path, "recovery")
    tf = "recovery/main.tf"
    assert found(result, "error") == {
        # "EOF   " and "EOF\t " close their heredocs, as Terraform reads them; positions are exact
        (tf, *where(tmp_path, tf, "1}]}"), "EVT206"),
        (tf, *where(tmp_path, tf, "2}]}"), "EVT207"),
        # the broken block is reported, naming what was not checked; the blocks beside it are checked
        (tf, 9, 1, "LNT003"),
    }
    (syntax,) = by_code(result, "LNT003")
    assert 'resource "aws_cloudwatch_event_rule" "broken" (line 7) was not checked' in syntax.message


def test_a_file_that_cannot_be_cut_says_its_resources_were_not_checked(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text(
        'resource "aws_cloudwatch_event_rule" "y" {\n  event_pattern = [1,\n}\n', encoding="utf-8"
    )
    result = lint(["bad.tf"], cwd=tmp_path)
    assert [(d.code, d.line) for d in result.diagnostics] == [("LNT003", 3)]
    assert "this file's resources were not checked" in result.diagnostics[0].message
