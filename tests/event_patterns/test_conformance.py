"""Every case of ../shared/conformance/event_patterns runs here.

* EventBridge match files: the compiled pattern, a RuleSet (the case's rule among decoys, and one RuleSet
  per file holding every pattern of that file) and the reference interpreter must all give the label.
* invalid_patterns.jsonl and sns_invalid_filter_policies.jsonl: compiling must raise a located PatternError.
* SNS files: the sns dialect, in the policy's FilterPolicyScope.

Patterns and events are fed as the RAW TEXT written in the corpus line, so number literals
(``3.018e2``, ``12345678901234567890``) and duplicate keys reach the engine untouched.

Case ids the engine may fail are listed, each with a written reason, in event_pattern_deviations.json.
Per-file pass counts are printed at the end of the module (and kept in the pytest cache under
``tamis/event_pattern_conformance``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from support.reference_patterns import ref_matches
from support.shared import SHARED, shared_path

from tamis.grammar.located_json import LocatedJSON, parse_json

CORPUS = ("conformance", "event_patterns")
EVENTBRIDGE_MATCH_FILES = (
    "docs_examples.jsonl",
    "event_ruler_tests.jsonl",
    "quamina_tests.jsonl",
    "semantics_probes.jsonl",
)
SNS_MATCH_FILES = ("sns_filter_policy.jsonl", "sns_filter_policy_disputed.jsonl")
INVALID_FILES = ("invalid_patterns.jsonl", "sns_invalid_filter_policies.jsonl")
DEVIATIONS_FILE = Path(__file__).with_name("deviations.json")
DECOY_RULES = {
    # Rules on fields no corpus event has: they must never match, and must not disturb the case's rule.
    "decoy-exact": '{"tamis-decoy": ["x"]}',
    "decoy-exists": '{"tamis-decoy": {"deep": [{"exists": true}]}}',
}


@dataclass(frozen=True)
class Case:
    file: str
    id: str
    line: str

    @property
    def doc(self) -> LocatedJSON:
        return _parse_line(self.line)

    @property
    def record(self) -> dict[str, Any]:
        return self.doc.value

    def raw(self, key: str) -> str:
        return self.doc.raw((key,))


@cache
def _parse_line(line: str) -> LocatedJSON:
    return parse_json(line)


@cache
def _load(name: str) -> tuple[Case, ...]:
    path = SHARED.joinpath(*CORPUS, name)
    if not path.exists():
        return ()
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            cases.append(Case(name, parse_json(line).value["id"], line))
    return tuple(cases)


def _params(names: tuple[str, ...]) -> list[Any]:
    """One pytest param per case; a single clean skip when ../shared is absent."""
    params = [pytest.param(case, id=case.id) for name in names for case in _load(name)]
    if not params:
        return [pytest.param(None, id="shared-corpus-absent")]
    return params


def _need(case: Case | None) -> Case:
    if case is None:
        shared_path(*CORPUS)  # skips, naming the missing directory
        pytest.skip("conformance corpus is empty")
    return case


# ---------------------------------------------------------------------------------------------------------
# Deviations and per-file pass counts


def _deviations() -> dict[str, str]:
    data = json.loads(DEVIATIONS_FILE.read_text(encoding="utf-8"))
    return dict(data["deviations"])


_RESULTS: dict[str, Counter[str]] = defaultdict(Counter)


def _record(file: str, check: str, ok: bool) -> None:
    _RESULTS[f"{file} [{check}]"]["pass" if ok else "fail"] += 1


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not _RESULTS:
        return
    lines = ["", "event-pattern conformance, per file and check (passes/cases run):"]
    summary: dict[str, dict[str, int]] = {}
    for key in sorted(_RESULTS):
        counts = _RESULTS[key]
        total = counts["pass"] + counts["fail"]
        summary[key] = {"pass": counts["pass"], "fail": counts["fail"]}
        lines.append(f"  {key}: {counts['pass']}/{total}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
            for text in lines:
                reporter.write_line(text)
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        cache.set("tamis/event_pattern_conformance", summary)


def _check(case: Case, check: str, ok: bool, detail: str) -> None:
    _record(case.file, check, ok)
    if ok:
        return
    reason = _deviations().get(case.id)
    if reason:
        pytest.xfail(f"listed deviation: {reason}")
    pytest.fail(f"{case.id} ({check}): {detail}", pytrace=False)


def test_deviations_file_is_well_formed() -> None:
    data = json.loads(DEVIATIONS_FILE.read_text(encoding="utf-8"))
    assert set(data) >= {"deviations"}
    deviations = data["deviations"]
    assert isinstance(deviations, dict)
    known = {
        case.id
        for name in (*EVENTBRIDGE_MATCH_FILES, *SNS_MATCH_FILES, *INVALID_FILES)
        for case in _load(name)
    }
    for case_id, reason in deviations.items():
        assert isinstance(reason, str) and len(reason.strip()) >= 10, f"{case_id}: a deviation needs a reason"
        if known:
            assert case_id in known, f"{case_id}: not a corpus case id"


# ---------------------------------------------------------------------------------------------------------
# EventBridge


def _tamis() -> Any:
    import tamis

    return tamis


@pytest.mark.parametrize("name", EVENTBRIDGE_MATCH_FILES)
def test_reference_interpreter_agrees_with_labels(name: str) -> None:
    """One test per file (the reference is a test helper; per-case ids are in the message)."""
    cases = _load(name)
    if not cases:
        shared_path(*CORPUS, name)
    wrong = []
    for case in cases:
        got = ref_matches(case.raw("pattern"), case.raw("event"))
        _record(name, "reference", got == case.record["match"])
        if got != case.record["match"]:
            wrong.append(f"{case.id}: reference says {got}, label {case.record['match']}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("case", _params(EVENTBRIDGE_MATCH_FILES))
def test_compiled_pattern(case: Case | None) -> None:
    case = _need(case)
    tamis = _tamis()
    label = case.record["match"]
    try:
        got: Any = tamis.compile_pattern(case.raw("pattern"), dialect="eventbridge").matches(
            case.raw("event")
        )
    except Exception as exc:
        got = f"{type(exc).__name__}: {exc}"
    _check(case, "pattern", got is label, f"engine answered {got!r}, label is {label}")


@pytest.mark.parametrize("name", EVENTBRIDGE_MATCH_FILES)
def test_ruleset_with_decoys(name: str) -> None:
    """Each case's rule in its own RuleSet between two decoys: the names returned are exactly the label's."""
    cases = _load(name)
    if not cases:
        shared_path(*CORPUS, name)
    tamis = _tamis()
    deviations = _deviations()
    wrong = []
    for case in cases:
        try:
            rs = tamis.RuleSet(dialect="eventbridge")
            rs.add("decoy-exact", DECOY_RULES["decoy-exact"])
            rs.add(case.id, case.raw("pattern"))
            rs.add("decoy-exists", DECOY_RULES["decoy-exists"])
            got: Any = rs.matches(case.raw("event"))
        except Exception as exc:
            got = f"{type(exc).__name__}: {exc}"
        expected = [case.id] if case.record["match"] else []
        _record(name, "ruleset", got == expected)
        if got != expected and case.id not in deviations:
            wrong.append(f"{case.id}: RuleSet answered {got!r}, expected {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("engine", ["native", "python"])
@pytest.mark.parametrize("name", EVENTBRIDGE_MATCH_FILES)
def test_one_ruleset_per_file(name: str, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """All patterns of a file in one RuleSet: each event's own rule is matched iff its label says so.
    Run on the native core and on its pure-Python twin (the fallback where the core is not built)."""
    cases = _load(name)
    if not cases:
        shared_path(*CORPUS, name)
    tamis = _tamis()
    from tamis.runtime.events import matcher as event_matcher

    if engine == "native" and event_matcher._native is None:
        pytest.skip("the native matcher core is not built here")
    monkeypatch.setattr(event_matcher, "USE_NATIVE", engine == "native")
    rs = tamis.RuleSet(dialect="eventbridge")
    for case in cases:
        rs.add(case.id, case.raw("pattern"))
    assert len(rs) == len(cases)
    wrong = []
    deviations = _deviations()
    for case in cases:
        got = rs.matches(case.raw("event"))
        assert len(set(got)) == len(got), f"{case.id}: duplicate names in {got}"
        ok = (case.id in got) is case.record["match"]
        _record(name, f"file-ruleset, {engine}", ok)
        if not ok and case.id not in deviations:
            wrong.append(f"{case.id}: own rule {'missing' if case.record['match'] else 'wrongly matched'}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("case", _params(("invalid_patterns.jsonl",)))
def test_invalid_pattern_is_rejected(case: Case | None) -> None:
    case = _need(case)
    tamis = _tamis()
    text = case.record.get("pattern_text") or case.raw("pattern")
    try:
        tamis.compile_pattern(text, dialect="eventbridge")
    except tamis.PatternError as exc:
        located = exc.line is not None and exc.column is not None and exc.line >= 1 and exc.column >= 1
        _check(case, "rejected", located, f"PatternError without a position: {exc!r}")
        return
    except Exception as exc:
        _check(case, "rejected", False, f"raised {type(exc).__name__} instead of PatternError: {exc}")
        return
    _check(case, "rejected", False, f"accepted; event-ruler says: {case.record['event_ruler_error']}")


@pytest.mark.parametrize("case", _params(("invalid_patterns.jsonl",)))
def test_invalid_pattern_is_rejected_as_value(case: Case | None) -> None:
    """The same patterns given as Python values (no text, so no position required)."""
    case = _need(case)
    if case.record.get("pattern_text"):
        pytest.skip("malformed JSON only exists as text")
    tamis = _tamis()
    with pytest.raises(tamis.PatternError):
        tamis.compile_pattern(case.record["pattern"], dialect="eventbridge")


# ---------------------------------------------------------------------------------------------------------
# SNS


def _sns_input(case: Case) -> Any:
    if case.record["filter_policy_scope"] == "MessageBody":
        return case.record["message_body"]
    return case.record["message_attributes"]


@pytest.mark.parametrize("case", _params(SNS_MATCH_FILES))
def test_sns_filter_policy(case: Case | None) -> None:
    case = _need(case)
    tamis = _tamis()
    label = case.record["match"]
    try:
        policy = tamis.compile_pattern(
            case.raw("filter_policy"), dialect="sns", scope=case.record["filter_policy_scope"]
        )
        got: Any = policy.matches(_sns_input(case))
    except Exception as exc:
        got = f"{type(exc).__name__}: {exc}"
    _check(case, "sns", got is label, f"engine answered {got!r}, label is {label}")


@pytest.mark.parametrize("case", _params(("sns_invalid_filter_policies.jsonl",)))
def test_sns_invalid_filter_policy_is_rejected(case: Case | None) -> None:
    case = _need(case)
    tamis = _tamis()
    try:
        tamis.compile_pattern(
            case.raw("filter_policy"), dialect="sns", scope=case.record["filter_policy_scope"]
        )
    except tamis.PatternError as exc:
        located = exc.line is not None and exc.column is not None
        _check(case, "rejected", located, f"PatternError without a position: {exc!r}")
        return
    except Exception as exc:
        _check(case, "rejected", False, f"raised {type(exc).__name__} instead of PatternError: {exc}")
        return
    _check(case, "rejected", False, f"accepted; SNS says: {case.record['error_hint'].strip()}")
