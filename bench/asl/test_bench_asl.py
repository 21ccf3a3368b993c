"""ASL validation and compiled Choice decisions, tamis beside its peers (pytest-benchmark).

    bash bench/asl/install_peers.sh    # npm peers into bench/asl/.peers/, PyPI statelint and cfn-lint,
    hyperfine
    python3 -m pytest bench/asl/test_bench_asl.py --benchmark-json=bench/.results/asl.json

One round = one pass over the set. Groups put the tools side by side: ``asl-corpus`` (the 1,035 definitions
of ../shared/conformance/asl), ``asl-100-state`` (one generated 100-state definition). The npm validators
run in one long-lived Node process (bench/asl/peers/asl_driver.js); a round is one request to it (one pass
plus
one pipe round trip, well under a millisecond). Slow peers (asl-validator, cfn-lint) run on a fixed sample
of the corpus, named in extra_info. ``bench/asl/asl_peers.py`` prints the same comparison as a table, plus the
cold starts of the command-line tools.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import asl_peers
import pytest

SLOW_SAMPLE = 40  # corpus definitions given to the peers that validate a handful per second


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    if not asl_peers.CORPUS.is_dir():
        pytest.skip(f"shared corpus not present: {asl_peers.CORPUS}")
    return asl_peers.corpus_texts()


@pytest.fixture(scope="module")
def hundred() -> list[str]:
    return [json.dumps(asl_peers.hundred_state_definition(), indent=2)]


@pytest.fixture(scope="module")
def node(corpus: list[str], hundred: list[str]) -> Iterator[asl_peers.NodePeers]:
    peers = asl_peers.NodePeers.start()
    if peers is None:
        pytest.skip("node or bench/asl/.peers/node_modules missing: run bash bench/asl/install_peers.sh")
    peers.load("corpus", corpus)
    peers.load("sample", corpus[:: max(1, len(corpus) // SLOW_SAMPLE)][:SLOW_SAMPLE])
    peers.load("100-state", hundred)
    yield peers
    peers.close()


def _python_check(tool: str) -> Callable[[str], bool]:
    check = {"tamis": asl_peers.tamis_check, "statelint (PyPI)": asl_peers.pypi_statelint_check}[tool]()
    if check is None:
        pytest.skip(f"{tool} is not installed or has no validator yet")
    return check


def _run_pass(benchmark: Any, check: Callable[[str], bool], texts: list[str], rounds: int) -> None:
    def one_pass() -> int:
        return sum(1 for t in texts if not asl_peers._safe(check, t))

    invalid = benchmark.pedantic(one_pass, rounds=rounds, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(definitions=len(texts), judged_invalid=invalid)


@pytest.mark.parametrize("tool", ["tamis", "statelint (PyPI)"])
@pytest.mark.benchmark(group="asl-corpus")
def test_python_tools_corpus(benchmark: Any, tool: str, corpus: list[str]) -> None:
    _run_pass(benchmark, _python_check(tool), corpus, rounds=5)


@pytest.mark.parametrize("tool", ["tamis", "statelint (PyPI)"])
@pytest.mark.benchmark(group="asl-100-state")
def test_python_tools_100_state(benchmark: Any, tool: str, hundred: list[str]) -> None:
    _run_pass(benchmark, _python_check(tool), hundred, rounds=50)


@pytest.mark.parametrize(
    ("tool", "set_name", "rounds"), [("statelint", "corpus", 5), ("asl-validator", "sample", 2)]
)
@pytest.mark.benchmark(group="asl-corpus")
def test_npm_tools_corpus(
    benchmark: Any, node: asl_peers.NodePeers, tool: str, set_name: str, rounds: int, corpus: list[str]
) -> None:
    if tool not in node.tools:
        pytest.skip(f"npm {tool} did not load in the driver")
    benchmark.pedantic(node.once, args=(tool, set_name), rounds=rounds, iterations=1, warmup_rounds=1)
    size = len(corpus) if set_name == "corpus" else SLOW_SAMPLE
    benchmark.extra_info.update(definitions=size, set=set_name, timing="wall time incl. one pipe round trip")


@pytest.mark.parametrize(("tool", "rounds"), [("statelint", 50), ("asl-validator", 5)])
@pytest.mark.benchmark(group="asl-100-state")
def test_npm_tools_100_state(benchmark: Any, node: asl_peers.NodePeers, tool: str, rounds: int) -> None:
    if tool not in node.tools:
        pytest.skip(f"npm {tool} did not load in the driver")
    benchmark.pedantic(node.once, args=(tool, "100-state"), rounds=rounds, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(definitions=1)


@pytest.mark.benchmark(group="asl-corpus")
def test_cfn_lint_corpus_sample(benchmark: Any, corpus: list[str]) -> None:
    check = asl_peers.cfn_lint_check()
    if check is None:
        pytest.skip("cfn-lint is not installed")
    sample = corpus[:: max(1, len(corpus) // SLOW_SAMPLE)][:SLOW_SAMPLE]
    _run_pass(benchmark, check, [asl_peers.cfn_template(t) for t in sample], rounds=1)
    benchmark.extra_info["set"] = "sample"


@pytest.mark.benchmark(group="asl-100-state")
def test_cfn_lint_100_state(benchmark: Any, hundred: list[str]) -> None:
    check = asl_peers.cfn_lint_check()
    if check is None:
        pytest.skip("cfn-lint is not installed")
    _run_pass(benchmark, check, [asl_peers.cfn_template(hundred[0])], rounds=3)


# ------------------------------------------------------------------------------------ Choice decisions

CHOICE_STATE: dict[str, Any] = {
    "Type": "Choice",
    "Choices": [
        {"Variable": "$.order.total", "NumericGreaterThan": 1000, "Next": "Review"},
        {
            "And": [
                {"Variable": "$.order.country", "StringEquals": "FR"},
                {"Variable": "$.order.placed", "TimestampLessThan": "2024-01-01T00:00:00Z"},
            ],
            "Next": "Legacy",
        },
        {"Variable": "$.order.sku", "StringMatches": "GIFT-*", "Next": "Gift"},
        {"Variable": "$.order.coupon", "IsPresent": True, "Next": "Coupon"},
    ],
    "Default": "Ship",
}
CHOICE_INPUT = {"order": {"total": 20, "country": "DE", "placed": "2024-05-01T10:00:00Z", "sku": "BOOK-1"}}


@pytest.mark.benchmark(group="asl-choice")
def test_choice_compiled(benchmark: Any) -> None:
    from tamis.compiler.asl.choice_compiler import compile_choice

    decide = compile_choice(CHOICE_STATE)
    assert benchmark(decide, CHOICE_INPUT) == "Ship"


@pytest.mark.benchmark(group="asl-choice")
def test_choice_compiled_jsonata(benchmark: Any) -> None:
    from tamis.compiler.asl.choice_compiler import compile_choice

    state = {
        "Type": "Choice",
        "QueryLanguage": "JSONata",
        "Choices": [
            {"Condition": "{% $states.input.order.total > 1000 %}", "Next": "Review"},
            {"Condition": "{% $states.input.order.country = 'FR' %}", "Next": "Legacy"},
            {"Condition": "{% $exists($states.input.order.coupon) %}", "Next": "Coupon"},
        ],
        "Default": "Ship",
    }
    decide = compile_choice(state)
    assert benchmark(decide, CHOICE_INPUT) == "Ship"
