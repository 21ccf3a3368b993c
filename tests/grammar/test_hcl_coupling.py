"""grammar/hcl.py builds its parser from python-hcl2's grammar file and post-lexer, which are not that
package's public API (its public ``parses_to_tree`` turns on per-node positions, which makes parsing about a
third slower and which tamis does not need). pyproject.toml bounds the version; these tests fail loudly
when a release moves or changes those pieces: the files must be where grammar/hcl.py opens them, and its
trees must equal the public API's on every Terraform file of the repository."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import hcl2
import hcl2.parser
import pytest
from lark import Tree
from packaging.requirements import Requirement

from tamis.grammar.hcl import parse_hcl

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for folder in ("examples", "tests") for p in (ROOT / folder).rglob("*.tf"))
INLINE = [
    'resource "aws_sns_topic" "t" {\n  name = "t"\n  tags = { a = 1, b = [true, null] }\n}\n',
    'locals {\n  p = jsonencode({ source = ["aws.s3"], detail = { n = [{ numeric = [">", 1.5e3] }] } })\n}\n',
    'locals {\n  s = <<-EOT\n    {"a": "${var.x}"}\n    EOT\n  t = "%{ if var.y }y%{ endif }"\n}\n',
    'variable "v" {\n  default = var.a ? [for k, v in local.m : upper(k) if v] : {}\n}\n',
]


def test_the_installed_version_is_the_one_pyproject_allows() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (requirement,) = [Requirement(d) for d in deps if Requirement(d).name == "python-hcl2"]
    assert requirement.specifier.filter([metadata.version("python-hcl2")]), "python-hcl2 outside the pin"
    assert any(s.operator == "<" for s in requirement.specifier), "python-hcl2 needs an upper bound"


def test_the_private_pieces_are_where_tamis_opens_them() -> None:
    grammar = Path(hcl2.parser.__file__).with_name("hcl2.lark")
    assert grammar.is_file(), f"python-hcl2 moved its grammar file ({grammar}): update grammar/hcl.py"
    from hcl2.postlexer import PostLexer  # an ImportError here: python-hcl2 moved its post-lexer

    assert callable(getattr(PostLexer, "process", None)), "python-hcl2's PostLexer is no longer a post-lexer"


@pytest.mark.parametrize(
    "text",
    [p.read_text(encoding="utf-8") for p in SAMPLES] + INLINE,
    ids=[p.relative_to(ROOT).as_posix() for p in SAMPLES] + [f"inline-{i}" for i in range(len(INLINE))],
)
def test_trees_equal_the_public_api(text: str) -> None:
    try:
        public = hcl2.parses_to_tree(text)
    except Exception as exc:  # a fixture with a deliberate mistake: both must refuse it alike
        with pytest.raises(type(exc)):
            parse_hcl(text)
        return
    ours = parse_hcl(text)
    assert isinstance(ours, Tree) and ours == public
    assert ours.children, "an empty tree would make the comparison vacuous"
