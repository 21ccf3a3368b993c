"""One lint run: read each file, find its targets, check them, apply suppressions and severities."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tamis.errors import Diagnostic, TamisError
from tamis.grammar.text import LineIndex, NotUTF8, decode
from tamis.lint.config import (
    ConfigError,
    LintConfig,
    canonical_codes,
    code_listed,
    find_config,
    load_config,
    unknown_spelling,
)
from tamis.lint.discover import discover
from tamis.lint.kinds import (
    CODE_UNRECOGNISED,
    Recognition,
    kind_by_name,
    may_hold_targets,
    named_for_checking,
    recognise,
)
from tamis.lint.suppressions import deprecated_spellings, is_suppressed, parse_suppressions, unknown_spellings
from tamis.processes import available_cpus, start_method

CODE_SYNTAX = {"json": "LNT001", "yaml": "LNT002"}  # json-syntax, yaml-syntax
CODE_MISSING = "LNT005"  # missing-file
CODE_UNREADABLE = "LNT004"  # unreadable
CODE_DEPRECATED = "LNT903"  # deprecated-code
CODE_UNKNOWN = "LNT904"  # unknown-code
CODE_TOO_LARGE = "LNT006"  # too-large
# Larger files are not read: the largest input any service takes is a 1 MB state-machine definition
# (CloudFormation templates too are at most 1 MB from S3), so 4 MiB leaves room for any template.
MAX_BYTES = 4 * 1024 * 1024


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0  # files read
    checked: int = 0  # patterns, policies and state machines checked
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # display path -> text, for output

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


class _Run:
    def __init__(self, config: LintConfig, cwd: Path) -> None:
        self.config = config
        self.cwd = cwd
        self.result = LintResult()
        self.raw: list[Diagnostic] = []
        self.done: set[tuple[str, str]] = set()
        self.comment_files: set[str] = set()
        self.referenced: set[str] = set()  # files named by a template (DefinitionUri, file(), templatefile())
        self.noted: set[str] = set()  # files that got a lint.unrecognised-kind note (one each)
        self.entries: list[Any] = []  # rules and subscriptions, for the rule-set analysis (rule_sets.py)

    # -- paths ----------------------------------------------------------------------------------------
    def display(self, path: Path) -> str:
        try:
            rel = os.path.relpath(path, self.cwd)
        except ValueError:  # another drive on Windows
            rel = str(path)
        if rel.startswith(".."):  # outside the current folder: the absolute path reads better
            return Path(os.path.abspath(path)).as_posix()
        return Path(rel).as_posix()

    def config_rel(self, path: Path, resolved: Path | None = None) -> str:
        root = self.config.root or self.cwd
        try:
            return (resolved or path.resolve()).relative_to(root).as_posix()
        except ValueError:
            return self.display(path)

    # -- state: every change of the run's state goes through these, which a worker of a parallel run
    # (_Recorder) records instead, for the parent to replay in the serial order ----------------------
    def _add(self, d: Diagnostic) -> None:
        self.raw.append(d)

    def _count(self) -> None:
        self.result.checked += 1

    def _text(self, display: str, text: str) -> None:
        self.result.texts[display] = text
        self.result.files = len(self.result.texts)

    def _comments(self, display: str) -> None:
        self.comment_files.add(display)

    def _entry(self, entry: Any) -> None:
        self.entries.append(entry)

    def _note(self, display: str, d: Diagnostic) -> None:
        if display not in self.noted:
            self.noted.add(display)
            self.raw.append(d)

    def _reference(self, resolved: str, key: tuple[str, str], body: Any) -> None:
        """A template names ``resolved``: read it (``body()``) unless this reading was done already."""
        self.referenced.add(resolved)
        if key in self.done:
            return
        self.done.add(key)
        body()

    # -- emitting -------------------------------------------------------------------------------------
    def emit(self, item: Any) -> None:
        from tamis.lint.check import check
        from tamis.lint.rule_sets import RuleTarget, Subscriber

        if isinstance(item, Diagnostic):
            self._add(item)
            return
        if isinstance(item, Subscriber | RuleTarget):
            self._entry(item)
            return
        self._count()
        for d in check(item):
            self._add(d)

    def read(self, path: Path, display: str, *, expected: bool = True) -> str | None:
        """The file's text, or None (with a diagnostic where one is due). ``expected``: the file was named,
        or its name or a template says it holds something to check, so text that is not UTF-8 is an error;
        otherwise it is a warning (a JSON or YAML file of some other kind)."""
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                # Never a silent skip: an error where the file was named or is known to hold a target,
                # a note for a large data file met on the way.
                self._add(
                    _diag(
                        CODE_TOO_LARGE,
                        "error" if expected else "info",
                        f"not checked: the file is {size:,} bytes, over the {MAX_BYTES:,} (4 MiB) tamis lint "
                        "reads (no service takes an input over 1 MB)",
                        display,
                        1,
                        1,
                    )
                )
                return None
            data = path.read_bytes()
        except OSError as exc:
            self._add(_diag(CODE_UNREADABLE, "error", f"cannot read: {exc.strerror}", display, 1, 1))
            return None
        try:
            text = decode(data)
        except NotUTF8 as exc:
            severity = "error" if expected else "warning"
            self._add(
                _diag(
                    CODE_UNREADABLE, severity, "not valid UTF-8: not checked", display, exc.line, exc.column
                )
            )
            return None
        self._text(display, text)
        return text

    # -- files ----------------------------------------------------------------------------------------
    def admit(self, path: Path, explicit: bool) -> tuple[str, str | None] | None:
        """What does not depend on the files read before: ``(resolved path, kind)``, or None when the file
        is excluded or its kind is "none"."""
        resolved = path.resolve()
        rel = self.config_rel(path, resolved)
        if not explicit and self.config.excluded(rel):
            return None
        kind = self.config.kind_for(rel) or kind_by_name(path.name)
        if kind == "none":
            return None
        return str(resolved), kind

    def lint_file(self, path: Path, explicit: bool = False) -> None:
        admitted = self.admit(path, explicit)
        if admitted is None:
            return
        resolved, kind = admitted
        if kind is None and resolved in self.referenced:
            return  # a template already said what this file holds; no need to guess from its shape
        key = (resolved, kind or "")
        if key in self.done:
            return
        self.done.add(key)
        self.lint_admitted(path, kind, explicit)

    def lint_admitted(self, path: Path, kind: str | None, explicit: bool) -> None:
        display = self.display(path)
        name = path.name.lower()
        if kind == "terraform":
            text = self.read(path, display)
            if text is not None:
                self._terraform(text, display, path.parent)
            return
        is_json = name.endswith(".json")
        is_yaml = name.endswith((".yaml", ".yml"))
        if not (is_json or is_yaml or name.endswith(".template") or kind):
            return
        text = self.read(path, display, expected=explicit or kind is not None)
        if text is None:
            return
        if not is_yaml and text.lstrip()[:1] in ("{", "["):
            self._json(text, display, path, kind, substitutions=kind == "state-machine")
        else:
            self._yaml(text, display, path, kind, substitutions=False)

    def lint_referenced(
        self,
        path: Path,
        kind: str,
        where: tuple[int, int],
        label: str,
        origin: str,
        context: dict[str, Any] | None = None,
    ) -> None:
        """A file named by a template (DefinitionUri, file(), templatefile()): ``${...}`` are placeholders.
        ``context``: what the template says about how to check it (Target.context)."""
        if not path.is_file():
            self._add(
                _diag(
                    CODE_MISSING,
                    "error",
                    f"{label}: file not found: {self.display(path)}",
                    origin,
                    where[0],
                    where[1],
                )
            )
            return
        resolved = str(path.resolve())
        # A state machine read on its own already accepts ${...}: one reading serves both.
        key = (resolved, kind if kind == "state-machine" else kind + "+subs")
        if context and context.get("machine_type", "STANDARD") != "STANDARD":  # judged by other rules
            key = (key[0], f"{key[1]}+{context['machine_type']}")
        self._reference(resolved, key, lambda: self._read_referenced(path, kind, context))

    def _read_referenced(self, path: Path, kind: str, context: dict[str, Any] | None) -> None:
        display = self.display(path)
        text = self.read(path, display)
        if text is None:
            return
        if path.name.lower().endswith((".yaml", ".yml")):
            self._yaml(text, display, path, kind, substitutions=True, context=context)
        else:
            self._json(text, display, path, kind, substitutions=True, context=context)

    def _callback(self, origin: str) -> Any:
        def lint_file(
            path: Path, kind: str, where: tuple[int, int], label: str, context: dict[str, Any] | None = None
        ) -> None:
            self.lint_referenced(path, kind, where, label, origin, context)

        return lint_file

    def _terraform(self, text: str, display: str, folder: Path) -> None:
        from tamis.lint.terraform import lint_terraform

        self._comments(display)
        lint_terraform(text, display, folder, self.emit, self._callback(display))

    def _json(
        self,
        text: str,
        display: str,
        path: Path,
        kind: str | None,
        *,
        substitutions: bool,
        context: dict[str, Any] | None = None,
    ) -> None:
        from tamis.lint.targets import IdentityMapper, Target

        if kind is None:
            import orjson

            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                # Not JSON: ours only when the name says so (a pattern with a typo); else not our business
                # (tsconfig.json with comments, ...).
                if named_for_checking(path.name):
                    self._parse(text, display, "json")
                return
            recognition = recognise(value, path.name)
            kind = recognition.kind
            if kind is None:
                if recognition.note is not None:
                    doc = self._parse(text, display, "json")
                    self._unrecognised(recognition, doc, display, path)
                return
        index = LineIndex(text)
        if kind in ("cloudformation", "lambda-filter-criteria", "sns-attributes"):
            doc = self._parse(text, display, "json")
            if doc is None:
                return
            self._document(doc, display, path, kind, substitutions, context)
            return
        from tamis.grammar.placeholders import placeholder_ranges

        ranges: list[tuple[int, int]] = []
        checked = text
        directives = substitutions and "%{" in text
        if substitutions or (kind == "state-machine" and "${" in text):
            checked, ranges = placeholder_ranges(text, directives=substitutions)
        self._duplicate_keys(checked, display)
        self.emit(
            Target(
                kind=kind,
                text=checked,
                file=display,
                mapper=IdentityMapper(index),
                anchor=(1, 1),
                label=display,
                unresolved=ranges,
                raw_text=text,
                lenient_syntax=directives,
                context=dict(context or {}),
            )
        )

    def _yaml(
        self,
        text: str,
        display: str,
        path: Path,
        kind: str | None,
        *,
        substitutions: bool,
        context: dict[str, Any] | None = None,
    ) -> None:
        from tamis.grammar.located_yaml import parse_yaml_all

        if kind is None and not may_hold_targets(text):
            return
        self._comments(display)
        try:
            docs = parse_yaml_all(text, source=display)
        except TamisError as exc:
            if kind is not None or "AWSTemplateFormatVersion" in text or "StartAt" in text:
                self._add(
                    _diag(CODE_SYNTAX["yaml"], "error", exc.message, display, exc.line or 1, exc.column or 1)
                )
            return
        from tamis.lint.cloudformation import Doc

        index = LineIndex(text)
        for located in docs:
            recognition = Recognition(kind) if kind else recognise(located.value, path.name)
            doc_kind = recognition.kind
            if doc_kind is None and recognition.note is not None:
                self._unrecognised(recognition, Doc(located, display, index), display, path)
            if doc_kind is None or doc_kind == "none":
                continue
            self._document(Doc(located, display, index), display, path, doc_kind, substitutions, context)

    def _unrecognised(self, recognition: Recognition, doc: Any, display: str, path: Path) -> None:
        """One note for a file whose name says it holds a pattern but whose shape does not: why it was not
        checked, and how to say what it holds."""
        if display in self.noted:
            return
        line, column = 1, 1
        if doc is not None and recognition.where:
            line, column = doc.key_pos(recognition.where) or doc.position(recognition.where)
        rel = self.config_rel(path)
        message = (
            f"{recognition.note}. If it is one, say so under [tool.tamis.kinds] "
            f'(or [kinds] in .tamis.toml): "{rel}" = "{recognition.suggested}"'
        )
        self._note(display, _diag(CODE_UNRECOGNISED, "info", message, display, line, column))

    def _duplicate_keys(self, text: str, display: str) -> None:
        """Warn of each key repeated in an object of a stand-alone JSON file, as inside templates: the
        checkers (and the services' JSON readers) keep only the last one."""
        from tamis.lint.check import load_noting_repeats
        from tamis.lint.cloudformation import CODE_DUPLICATE_KEY, duplicate_key_message

        try:  # the C scanner: the located parse below runs only when a key repeats
            _, repeated = load_noting_repeats(text)
        except (ValueError, RecursionError):
            return  # not plain JSON: the checker reports it
        if not repeated:
            return
        doc = self._parse(text, display, "json")
        for path, line, column in doc.duplicates() if doc is not None else ():
            message = duplicate_key_message(display, path[-1])
            self._add(_diag(CODE_DUPLICATE_KEY, "warning", message, display, line, column))

    def _parse(self, text: str, display: str, fmt: str) -> Any:
        from tamis.grammar.located_json import parse_json
        from tamis.lint.cloudformation import Doc

        try:
            located = parse_json(text, source=display)
        except TamisError as exc:
            self._add(_diag(CODE_SYNTAX[fmt], "error", exc.message, display, exc.line or 1, exc.column or 1))
            return None
        return Doc(located, display, LineIndex(text))

    def _document(
        self,
        doc: Any,
        display: str,
        path: Path,
        kind: str,
        substitutions: bool,
        context: dict[str, Any] | None = None,
    ) -> None:
        from tamis.lint.cloudformation import cloudformation, standalone

        if kind == "cloudformation":
            cloudformation(doc, self.emit, self._callback(display), path.parent)
        elif kind == "serverless":
            from tamis.lint.serverless import serverless

            serverless(doc, self.emit, self._callback(display), path.parent)
        elif kind == "terraform":
            return
        else:
            standalone(doc, kind, self.emit, substitutions, label=display, context=context)

    # -- finishing ------------------------------------------------------------------------------------
    def finish(self, extra_ignore: Iterable[str], warnings_as_errors: bool) -> LintResult:
        suppressions: dict[str, dict[int, set[str] | None]] = {}
        for display in self.comment_files:
            text = self.result.texts.get(display)
            if text is not None:
                suppressions[display] = parse_suppressions(text)
        ignore = [*self.config.ignore, *extra_ignore]
        seen: set[tuple[Any, ...]] = set()
        out: list[Diagnostic] = []
        for d in [*self.raw, *self._deprecations()]:
            if self.config.silenced(d.code) or code_listed(d.code, ignore):
                continue
            sup = suppressions.get(d.source or "")
            if sup and is_suppressed(d, sup):
                continue
            severity = self.config.severity.get(d.code, d.severity)
            if severity == "warning" and warnings_as_errors:
                severity = "error"
            if severity != d.severity:
                d = replace(d, severity=severity)
            key = (d.source, d.line, d.column, d.code, d.message)
            if key in seen:
                continue
            seen.add(key)
            out.append(d)
        out.sort(key=lambda d: (d.source or "", d.line or 0, d.column or 0, d.code))
        self.result.diagnostics = out
        return self.result

    def _deprecations(self) -> list[Diagnostic]:
        """A note for each old spelling of a code in the configuration and in suppression comments."""
        notes: list[Diagnostic] = []
        if self.config.deprecated and self.config.path:
            display = self.display(Path(self.config.path))
            try:
                text = Path(self.config.path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            index = LineIndex(text)
            for old, new in self.config.deprecated:
                at = text.find(f'"{old}"')
                if at < 0:
                    at = text.find(f"'{old}'")
                line, column = index.line_col(at + 1) if at >= 0 else (1, 1)
                notes.append(
                    _diag(CODE_DEPRECATED, "info", _deprecated_message(old, new), display, line, column)
                )
        for display in sorted(self.comment_files):
            text = self.result.texts.get(display)
            for line, column, old, new in deprecated_spellings(text or ""):
                notes.append(
                    _diag(CODE_DEPRECATED, "info", _deprecated_message(old, new), display, line, column)
                )
            for line, column, _spelling, why in unknown_spellings(text or ""):
                notes.append(
                    _diag(CODE_UNKNOWN, "warning", f"suppression comment: {why}", display, line, column)
                )
        return notes


def _deprecated_message(old: str, new: str) -> str:
    return f"{old!r} is the old spelling of {new}; write {new} (the old one still works)"


# -- the parallel run ---------------------------------------------------------------------------------
# Past this many files, a process pool pays for its start-up (about 0.1 s a worker) on a multi-core machine.
PARALLEL_THRESHOLD = 300
# Files per task sent to a worker: few enough tasks to keep the messages cheap, enough to balance the load.
_CHUNK_MIN, _CHUNK_MAX = 16, 200

# What a worker records, in the order the serial run would change its state:
#   ("d", Diagnostic)                          a raw diagnostic
#   ("c",)                                     one target checked
#   ("t", display, text)                       a file read
#   ("m", display)                             a file whose suppression comments apply
#   ("n", display, Diagnostic)                 a lint.unrecognised-kind note (one per file)
#   ("e", Subscriber | RuleTarget)             a rule or subscription, for the rule-set analysis
#   ("r", resolved, key, events | None)        a template names a file; its reading's own events
Event = tuple[Any, ...]


class _Recorder(_Run):
    """A worker's run: each file read on its own, every change of state recorded (not applied), so that
    the parent replays the records in the serial order against its own ``done``/``referenced`` sets and
    ends with the serial run's result, whichever worker read which file."""

    def __init__(self, config: LintConfig, cwd: Path) -> None:
        super().__init__(config, cwd)
        self.events: list[Event] = []
        self.stack: list[tuple[str, str]] = []

    def _add(self, d: Diagnostic) -> None:
        self.events.append(("d", d))

    def _count(self) -> None:
        self.events.append(("c",))

    def _text(self, display: str, text: str) -> None:
        self.events.append(("t", display, text))

    def _comments(self, display: str) -> None:
        self.events.append(("m", display))

    def _note(self, display: str, d: Diagnostic) -> None:
        self.events.append(("n", display, d))

    def _entry(self, entry: Any) -> None:
        self.events.append(("e", entry))

    def _reference(self, resolved: str, key: tuple[str, str], body: Any) -> None:
        # Read whether or not another file read it already (the parent decides): only a reading already
        # under way in this file (a cycle) is certainly done in the parent too when this event replays.
        if key in self.stack:
            self.events.append(("r", resolved, key, None))
            return
        outer, self.events = self.events, []
        outer.append(("r", resolved, key, self.events))
        self.stack.append(key)
        try:
            body()
        finally:
            self.stack.pop()
            self.events = outer

    def record(self, path: Path, explicit: bool, referenced: bool) -> tuple[str, str, list[Event]] | None:
        """``(resolved, kind, events)`` of one discovered file, or None where the serial run surely skips
        it (``referenced``: a template of an earlier phase named it)."""
        admitted = self.admit(path, explicit)
        if admitted is None:
            return None
        resolved, kind = admitted
        if kind is None and referenced:
            return None
        self.events = []
        self.stack = [(resolved, kind or "")]
        self.lint_admitted(path, kind, explicit)
        return resolved, kind or "", self.events


def _lint_chunk(
    config: LintConfig, cwd: Path, items: list[tuple[Path, bool, bool]]
) -> list[tuple[str, str, list[Event]] | None]:
    """A worker's task (module level and plain arguments, as the ``spawn`` start method needs): the records
    of ``items`` (path, named on the command line, named by a template of an earlier phase)."""
    recorder = _Recorder(config, cwd)
    return [recorder.record(path, explicit, referenced) for path, explicit, referenced in items]


def _warm(terraform: bool) -> None:
    """Before a fork: import the checkers (and build the HCL parser) once here, not once per worker."""
    import tamis.grammar.located_json
    import tamis.grammar.located_yaml
    import tamis.lint.cloudformation
    import tamis.lint.serverless  # noqa: F401
    from tamis.lint.check import _checker

    for family in ("pattern", "policy", "sns-archive", "sns-replay", "asl"):
        _checker(family)
    if terraform:
        from tamis.grammar.hcl import _parser

        _parser()


def _executor(jobs: int, method: str) -> Any:
    """A pool of ``jobs`` worker processes started by ``method``. A test may replace this function."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def _replay(run: _Run, events: list[Event]) -> None:
    for event in events:
        tag = event[0]
        if tag == "d":
            run._add(event[1])
        elif tag == "c":
            run._count()
        elif tag == "t":
            run._text(event[1], event[2])
        elif tag == "m":
            run._comments(event[1])
        elif tag == "n":
            run._note(event[1], event[2])
        elif tag == "e":
            run._entry(event[1])
        else:
            _, resolved, key, inner = event

            def body(inner: list[Event] | None = inner, key: tuple[str, str] = key) -> None:
                # None only for a reading under way in the same file: then ``key`` is in ``done`` here too.
                assert inner is not None, key
                _replay(run, inner)

            run._reference(resolved, key, body)


def _lint_parallel(run: _Run, phases: list[list[tuple[Path, bool]]], jobs: int) -> None:
    """Each phase (Terraform, then YAML and templates, then the rest) spread over the pool; the records
    merged in the serial order, as :meth:`_Run.lint_file` would have taken the files one by one. A task
    whose worker fails (a crash, a pickling problem) is done again here, in this process: no finding is
    lost and the result stays the serial one."""
    from concurrent.futures import Future

    method = start_method()
    if method == "fork":
        _warm(terraform=any(path.suffix.lower() == ".tf" for path, _ in phases[0]))
    pool = None
    try:
        pool = _executor(jobs, method)
    except (OSError, ImportError, NotImplementedError):  # no working multiprocessing here: one process
        pool = None
    try:
        for files in phases:
            size = max(_CHUNK_MIN, min(_CHUNK_MAX, -(-len(files) // (jobs * 4))))
            chunks: list[list[tuple[Path, bool, bool]]] = []
            for start in range(0, len(files), size):
                chunks.append(
                    [
                        (path, explicit, str(path.resolve()) in run.referenced)
                        for path, explicit in files[start : start + size]
                    ]
                )
            futures: list[Future[Any] | None] = []
            for chunk in chunks:
                try:
                    futures.append(pool.submit(_lint_chunk, run.config, run.cwd, chunk) if pool else None)
                except Exception:  # a broken or shut-down pool: this chunk runs here
                    futures.append(None)
            for chunk, future in zip(chunks, futures, strict=True):
                records = None
                if future is not None:
                    try:
                        records = future.result()
                    except Exception:  # the worker died or a value would not pickle: do it here
                        records = None
                if records is None:
                    records = _lint_chunk(run.config, run.cwd, chunk)
                for record in records:
                    if record is None:
                        continue
                    resolved, kind, events = record
                    if not kind and resolved in run.referenced:
                        continue  # as lint_file: a template of this phase named it before
                    key = (resolved, kind)
                    if key in run.done:
                        continue
                    run.done.add(key)
                    _replay(run, events)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _diag(code: str, severity: str, message: str, source: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, line=line, column=column, source=source)


def lint(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    config: LintConfig | str | os.PathLike[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    ignore: Iterable[str] = (),
    warnings_as_errors: bool | None = None,
    jobs: int | None = 1,
) -> LintResult:
    """Lint ``paths`` (default: the current folder). Raises :class:`ConfigError` on unusable input.

    ``jobs``: worker processes for a repository of at least :data:`PARALLEL_THRESHOLD` files (None: one per
    available core; 1: this process only). The result is the same whatever the number."""
    here = Path(cwd) if cwd is not None else Path.cwd()
    targets = [Path(p) if Path(p).is_absolute() else here / p for p in (paths or ["."])]
    if isinstance(config, LintConfig):
        cfg = config
    elif config is not None:
        cfg_path = Path(config)
        if not cfg_path.is_file():
            raise ConfigError(f"configuration file not found: {config}", rule="usage")
        cfg = load_config(cfg_path)
    else:
        start = targets[0] if targets[0].is_dir() else targets[0].parent
        cfg = load_config(find_config(start if start.exists() else here))
    run = _Run(cfg, here)
    explicit = {str(t) for t in targets if t.is_file()}
    # Templates first (Terraform, then YAML, then JSON): the files they name are then read as the kind the
    # template gives them, not as the kind their shape suggests.
    order = {".tf": 0, ".yaml": 1, ".yml": 1, ".template": 1}
    files = sorted(discover(targets), key=lambda p: (order.get(p.suffix.lower(), 2), str(p)))
    workers = available_cpus() if jobs is None else jobs
    if workers < 1:
        raise ConfigError(f"jobs must be at least 1, not {jobs}", rule="usage")
    if workers == 1 or len(files) < PARALLEL_THRESHOLD:
        for path in files:
            run.lint_file(path, explicit=str(path) in explicit)
    else:
        phases: list[list[tuple[Path, bool]]] = [[], [], []]
        for path in files:
            phases[order.get(path.suffix.lower(), 2)].append((path, str(path) in explicit))
        _lint_parallel(run, [phase for phase in phases if phase], min(workers, len(files)))
    # After every file is read (in this process, whichever worker read them): rules of different files meet.
    from tamis.lint.rule_sets import analyse

    run.raw.extend(analyse(run.entries))
    wae = cfg.warnings_as_errors if warnings_as_errors is None else warnings_as_errors
    return run.finish(_ignore_codes(ignore), wae)


def _ignore_codes(ignore: Iterable[str]) -> list[str]:
    """``ignore`` in the new scheme; an old spelling still works, with a DeprecationWarning naming the new
    code (the CLI prints its own note for --ignore)."""
    import warnings

    ignore = list(ignore)
    for spelling in ignore:
        why = unknown_spelling(spelling)
        if why is not None:
            raise ConfigError(f"ignore: {why}", rule="usage")
    deprecated: list[tuple[str, str]] = []
    codes = canonical_codes(ignore, deprecated)
    for old, new in deprecated:
        warnings.warn(_deprecated_message(old, new), DeprecationWarning, stacklevel=3)
    return codes
