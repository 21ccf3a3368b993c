"""Finds patterns, policies and state machines in JSON/YAML files: stand-alone documents and
CloudFormation / SAM templates.

A value may be written as an object, as a JSON string, or built with intrinsic functions; each becomes a
:class:`Target` whose text maps back to the template. ``Fn::Sub`` and ``Fn::Join`` of literal parts are
checked with their ``${...}`` left in place (marked unresolved: an error there is only a note); a ``Ref``
to a parameter with a default checks that default; anything else gets an info note, not a silent pass.

What a template means (resources, intrinsic functions, Fn::Sub / Fn::Join, where a state machine's
definition is) is read by grammar/cloudformation.py, shared with the ASL validator; this module knows
which properties hold what and turns each into a located target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tamis.errors import Diagnostic
from tamis.grammar import cloudformation as cfn
from tamis.grammar.cloudformation import intrinsic, intrinsic_text, join_args, sub_string
from tamis.grammar.placeholders import placeholder_ranges
from tamis.grammar.text import LineIndex
from tamis.lint.check import CODE_UNRESOLVED, pointer_lookup
from tamis.lint.record_sources import foreign_payload_fields, record_field_warning, source_of_arn
from tamis.lint.rule_sets import EVERY_MESSAGE, Capture, Entry, Subscriber, reference_text
from tamis.lint.targets import (
    OffsetsMapper,
    Path_,
    Placeholder,
    Target,
)
from tamis.rules import code_for

Emit = Callable[[Target | Diagnostic | Entry], None]
CODE_DUPLICATE_KEY = "LNT101"  # duplicate-key
CODE_TAG_IN_STRING = "LNT102"  # tag-in-string
# CloudFormation's short-form tags (template reference, "Intrinsic function reference"): YAML syntax, read
# only where YAML reads a tag. Written inside a string ("prefix": "!Ref Topic" in a JSON pattern), a tag is
# never resolved: the pattern, policy or definition holds the literal text.
SHORT_FORM_TAGS = (
    "!Ref",
    "!Sub",
    "!GetAtt",
    "!Join",
    "!If",
    "!Select",
    "!Split",
    "!FindInMap",
    "!ImportValue",
    "!Base64",
    "!Cidr",
    "!GetAZs",
    "!Equals",
    "!And",
    "!Or",
    "!Not",
    "!Condition",
)


def duplicate_key_message(label: str, key: object) -> str:
    """The duplicate-key (LNT101) message, in a template's value or a stand-alone file alike."""
    return f"{label}: key {key!r} repeats an earlier key of the same object; only the last one is kept"


# Asks the linter to check another file (DefinitionUri, templatefile) as the given kind, with the
# enclosing resource's Target.context.
LintFile = Callable[[Path, str, tuple[int, int], str, dict[str, Any]], None]


class Doc:
    """A located JSON or YAML document behind one interface; with a ``prefix``, the value below it as a
    document of its own (``resources`` of a serverless.yml is a CloudFormation fragment), positions still
    those of the whole file. Paths given to and returned by every method are relative to the prefix."""

    def __init__(self, located: Any, file: str, index: LineIndex, prefix: Path_ = ()) -> None:
        self.located = located
        self.file = file
        self.index = index
        self.text = index.text
        self.prefix = tuple(prefix)
        self.value = located.value_at(self.prefix) if self.prefix else located.value

    def _abs(self, path: Path_) -> tuple[Any, ...]:
        return (*self.prefix, *path) if self.prefix else tuple(path)

    def value_at(self, path: Path_) -> Any:
        return self.located.value_at(self._abs(path))

    def exists(self, path: Path_) -> bool:
        return self._abs(path) in self.located.spans

    def span(self, path: Path_) -> Any:
        """The located span of the value at ``path`` (line, column, start and end offsets), or None."""
        return self.located.spans.get(self._abs(path))

    def value_pos(self, path: Path_) -> tuple[int, int] | None:
        span = self.span(path)
        return (span[0], span[1]) if span else None

    def key_pos(self, path: Path_) -> tuple[int, int] | None:
        return self.located.keys.get(self._abs(path))

    def position(self, path: Path_) -> tuple[int, int]:
        line, column = self.located.position(self._abs(path))
        return (line or 1, column or 1)

    def string_offsets(self, path: Path_) -> list[int] | None:
        return self.located.string_offsets(self._abs(path))

    def duplicates(self, under: Path_ = ()) -> list[tuple[tuple[Any, ...], int, int]]:
        """Each repeated key inside the value at ``under``: (its path, line, column)."""
        base = self._abs(under)
        n, cut = len(base), len(self.prefix)
        return [
            (tuple(p[cut:]), line, col) for p, line, col in self.located.duplicates if tuple(p[:n]) == base
        ]

    def anchor_lines(self, *paths: Path_) -> tuple[int, ...]:
        lines = []
        for p in paths:
            pos = self.key_pos(p) or self.value_pos(p)
            if pos:
                lines.append(pos[0])
        return tuple(lines)


@dataclass
class Found:
    """Where a value sits in a document and how to check it."""

    path: Path_
    kind: str
    label: str
    options: dict[str, str]
    anchors: tuple[Path_, ...]
    substitutions: bool = False  # ${...} placeholders are expected (Fn::Sub, DefinitionSubstitutions)
    context: dict[str, Any] = field(default_factory=dict)  # Target.context: what the resource says


def _structured(v: Any, substitutions: bool, depth: int = 0) -> Any:
    if depth > 200:
        return None
    if intrinsic(v) is not None:
        return Placeholder(intrinsic_text(v))
    if isinstance(v, dict):
        return {k: _structured(x, substitutions, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_structured(x, substitutions, depth + 1) for x in v]
    if substitutions and isinstance(v, str) and "${" in v:
        return Placeholder(v)
    return v


def value_targets(doc: Doc, found: Found, emit: Emit) -> None:
    """Turn the value at ``found.path`` into a target (or an info note when it cannot be known)."""
    path = found.path
    v = doc.value_at(path)
    anchor = doc.position(path)
    anchor_lines = doc.anchor_lines(*found.anchors)

    def note(why: str, where: Path_ = path) -> None:
        emit(
            Diagnostic(
                code=CODE_UNRESOLVED,
                severity="info",
                message=f"{found.label}: not checked, {why}",
                line=doc.position(where)[0],
                column=doc.position(where)[1],
                source=doc.file,
                extra={"target": found.label, "anchor_lines": anchor_lines},
            )
        )

    def tag_warning(value: str, tag: str, pos: tuple[int, int]) -> None:
        emit(
            Diagnostic(
                code=CODE_TAG_IN_STRING,
                severity="warning",
                message=(
                    f"{found.label}: the string {_quote(value)} starts with {tag}, which CloudFormation"
                    " does not resolve inside a string: the value is this text; write the value with"
                    " ${...} in a !Sub string, or as YAML outside the string"
                ),
                line=pos[0],
                column=pos[1],
                source=doc.file,
                extra={"target": found.label, "anchor_lines": anchor_lines},
            )
        )

    def string_target(text: str, offsets: list[int] | None, where: Path_, subs: bool) -> None:
        ranges: list[tuple[int, int]] = []
        raw = text
        if subs:
            text, ranges = placeholder_ranges(text)
        mapper = OffsetsMapper(doc.index, offsets, doc.position(where))
        for at, value, tag in tagged_strings(text):
            tag_warning(value, tag, mapper(at + 1))
        emit(
            Target(
                kind=found.kind,
                text=text,
                file=doc.file,
                mapper=mapper,
                anchor=doc.position(where),
                label=found.label,
                options=found.options,
                context=found.context,
                unresolved=ranges,
                raw_text=raw,
                anchor_lines=anchor_lines,
            )
        )

    if isinstance(v, str):
        string_target(v, doc.string_offsets(path), path, found.substitutions)
        return
    call = intrinsic(v)
    if call is not None:
        fn, arg = call
        sub, join = sub_string(v), join_args(v)
        if sub is not None:  # checked with its ${...} in place, as unresolved ranges
            inner = (*path, *sub[1])
            string_target(sub[0], doc.string_offsets(inner), inner, True)
            return
        joined = _join(doc, (*path, "Fn::Join"), *join) if join is not None else None
        if joined is not None:
            text, offsets, ranges = joined
            for at, value, tag in tagged_strings(text):
                tag_warning(value, tag, OffsetsMapper(doc.index, offsets, anchor)(at + 1))
            emit(
                Target(
                    kind=found.kind,
                    text=text,
                    file=doc.file,
                    mapper=OffsetsMapper(doc.index, offsets, anchor),
                    anchor=anchor,
                    label=found.label,
                    options=found.options,
                    context=found.context,
                    unresolved=ranges,
                    anchor_lines=anchor_lines,
                )
            )
            return
        if fn == "Fn::ToJsonString":
            value_targets(doc, replace(found, path=(*path, fn), substitutions=False), emit)
            return
        if fn == "Ref" and isinstance(arg, str):
            default_path: Path_ = ("Parameters", arg, "Default")
            if doc.value_at(default_path) is not None:
                label = f"{found.label} (default of parameter {arg})"
                value_targets(doc, replace(found, path=default_path, label=label, substitutions=False), emit)
                return
            note(f"it is the value of {arg}, known only at deployment")
            return
        note(f"it is built with {fn}, known only at deployment")
        return
    if not isinstance(v, dict | list):
        string_target(_scalar_json(v), None, path, False)
        return
    for dup_path, line, column in doc.duplicates(path):
        emit(
            Diagnostic(
                code=CODE_DUPLICATE_KEY,
                severity="warning",
                message=duplicate_key_message(found.label, dup_path[-1]),
                line=line,
                column=column,
                source=doc.file,
                extra={"target": found.label, "anchor_lines": anchor_lines},
            )
        )
    for p, value, tag in _tagged_values(v, (), 0):
        chars = doc.string_offsets((*path, *p))  # at the tag itself, as in a JSON string
        tag_warning(value, tag, doc.index.line_col(chars[0]) if chars else doc.position((*path, *p)))
    value = _structured(v, found.substitutions)
    emit(
        Target.structured(
            value,
            lambda p: doc.value_pos((*path, *p)),
            lambda p: doc.key_pos((*path, *p)),
            anchor,
            kind=found.kind,
            file=doc.file,
            label=found.label,
            options=found.options,
            context=found.context,
            anchor_lines=anchor_lines,
            pointer_positions=pointer_lookup(doc.position, doc.exists, path),
        )
    )


def short_form_tag(s: str) -> str | None:
    """The short-form tag a string starts with (``"!Ref Topic"``), or None."""
    if not s.startswith("!"):
        return None
    for tag in SHORT_FORM_TAGS:
        if s.startswith(tag) and (len(s) == len(tag) or s[len(tag)] in " \t["):
            return tag
    return None


def tagged_strings(text: str) -> list[tuple[int, str, str]]:
    """(offset of the opening quote, raw content, tag) of each string value of a JSON text that starts
    with a short-form tag; keys are not values. A plain scan over the string literals (no regex)."""
    if '"!' not in text:
        return []
    out = []
    n = len(text)
    i = text.find('"')
    while 0 <= i < n:
        j = i + 1
        while j < n and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        content = text[i + 1 : j]
        tag = short_form_tag(content)
        if tag is not None:
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if text[k : k + 1] != ":":
                out.append((i, content, tag))
        i = text.find('"', j + 1)
    return out


def _tagged_values(v: Any, path: Path_, depth: int) -> list[tuple[Path_, str, str]]:
    """Strings of a structured value (a YAML mapping) that start with a short-form tag: quoted in YAML,
    they are text, not the intrinsic the tag would be unquoted."""
    if depth > 200:
        return []
    if isinstance(v, str):
        tag = short_form_tag(v)
        return [(path, v, tag)] if tag is not None else []
    if intrinsic(v) is not None:
        return []
    if isinstance(v, dict):
        return [f for k, x in v.items() for f in _tagged_values(x, (*path, k), depth + 1)]
    if isinstance(v, list):
        return [f for i, x in enumerate(v) for f in _tagged_values(x, (*path, i), depth + 1)]
    return []


def _quote(s: str) -> str:
    return '"' + (s if len(s) <= 60 else s[:57] + "...") + '"'


def _scalar_json(v: Any) -> str:
    import json

    try:
        return json.dumps(v)
    except (TypeError, ValueError):
        return json.dumps(str(v))


def _join(
    doc: Doc, path: Path_, delim: str, parts: list[Any]
) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """The text of an ``Fn::Join`` with, for each character, where it was written; an intrinsic part
    becomes its ``${...}`` form, marked unresolved. None when a part is neither (a list, a number)."""
    delim_offsets = doc.string_offsets((*path, 0)) or []
    chars: list[str] = []
    offsets: list[int] = []
    ranges: list[tuple[int, int]] = []
    for i, part in enumerate(parts):
        if i and delim:
            chars.append(delim)
            offsets.extend(delim_offsets[: len(delim)] or [0] * len(delim))
        ppath = (*path, 1, i)
        span = doc.span(ppath)
        start = span[2] if span else 0
        if isinstance(part, str):
            po = doc.string_offsets(ppath)
            if po is None or len(po) < len(part):
                po = [start] * (len(part) + 1)
            chars.append(part)
            offsets.extend(po[: len(part)])
        elif intrinsic(part) is not None:
            text = intrinsic_text(part)
            ranges.append((sum(len(c) for c in chars), sum(len(c) for c in chars) + len(text)))
            chars.append(text)
            offsets.extend([start] * len(text))
        else:
            return None
    offsets.append(offsets[-1] if offsets else 0)
    return "".join(chars), offsets, ranges


# --- CloudFormation and SAM --------------------------------------------------------------------------

_SAM_FILTER_EVENTS = {"SQS", "Kinesis", "DynamoDB", "MQ", "MSK", "SelfManagedKafka", "DocumentDB"}
_SAM_RECORD_SOURCE = {"SQS": "sqs", "Kinesis": "kinesis", "DynamoDB": "dynamodb"}


def record_fields(doc: Doc, path: Path_, source: str, label: str, emit: Emit) -> None:
    """Warn of a filter pattern (at ``path``) on a field the source's records never have."""
    line, column = doc.position(path)
    for name in foreign_payload_fields(doc.value_at(path), source):
        emit(record_field_warning(source, name, label, doc.file, line, column))


def _filters(
    doc: Doc, base: Path_, label: str, anchors: tuple[Path_, ...], emit: Emit, source: str | None = None
) -> None:
    """FilterCriteria: {Filters: [{Pattern: "<json>"}]}, each pattern a Lambda filter pattern. ``source``
    ("sqs", "kinesis", "dynamodb", where known) also flags filters on a field its records never have."""
    filters = doc.value_at((*base, "Filters"))
    if intrinsic(filters) is not None:
        value_targets(doc, Found((*base, "Filters"), "lambda-filter-pattern", label, {}, anchors), emit)
        return

    def fail(where: Path_, message: str, rule: str) -> None:
        line, column = doc.position(where)
        emit(
            Diagnostic(
                code=code_for("pattern", rule) or rule,
                severity="error",
                message=message,
                line=line,
                column=column,
                source=doc.file,
                extra={"target": label, "anchor_lines": doc.anchor_lines(*anchors)},
            )
        )

    if not isinstance(filters, list):
        fail(
            (*base, "Filters"),
            'filter criteria need "Filters": a list of {"Pattern": "..."}',
            "lambda-criteria",
        )
        return
    # Lambda: 5 filters per event source mapping by default, a quota that can be raised to 10.
    if len(filters) > 10:
        fail(
            (*base, "Filters"),
            f"at most 10 filters per event source mapping, got {len(filters)}",
            "lambda-filter-count",
        )
    for i, f in enumerate(filters):
        if isinstance(f, dict) and "Pattern" in f:
            p = (*base, "Filters", i, "Pattern")
            value_targets(
                doc, Found(p, "lambda-filter-pattern", f"{label} Filters[{i}]", {}, (*anchors, p)), emit
            )
            if source is not None:
                record_fields(doc, p, source, f"{label} Filters[{i}]", emit)
        else:
            fail((*base, "Filters", i), 'each filter must be an object with a "Pattern"', "lambda-criteria")


def cloudformation(doc: Doc, emit: Emit, lint_file: LintFile, folder: Path) -> None:
    for name, rtype, props in cfn.resources(doc.value):
        base: Path_ = ("Resources", name, "Properties")
        res_anchor: Path_ = ("Resources", name)

        def prop(
            key: str,
            kind: str,
            options: dict[str, str] | None = None,
            subs: bool = False,
            context: dict[str, Any] | None = None,
        ) -> None:
            _prop(doc, emit, name, rtype, props, key, kind, options or {}, subs, context or {})  # noqa: B023

        if rtype == "AWS::Events::Rule":
            capture = Capture(emit)
            _prop(doc, capture, name, rtype, props, "EventPattern", "eventbridge-pattern", {}, False, {})
            _events_rule(doc, name, props, capture, emit)
        elif rtype == "AWS::Events::Archive":
            prop("EventPattern", "eventbridge-archive-pattern")
            if "RetentionDays" in props:
                _event_archive_retention(doc, (*base, "RetentionDays"), f"{rtype} {name}", emit)
        elif rtype == "AWS::SNS::Subscription":
            capture = Capture(emit)
            kind, options = _sns_scope(props.get("FilterPolicyScope"))
            _prop(doc, capture, name, rtype, props, "FilterPolicy", kind, options, False, {})
            _sns_subscription(doc, name, props, capture, emit)
            if "ReplayPolicy" in props:
                prop("ReplayPolicy", "sns-replay-policy")
                _replay_needs_archive(doc, name, props, emit)
        elif rtype == "AWS::Lambda::EventSourceMapping":
            if isinstance(props.get("FilterCriteria"), dict):
                source = source_of_arn(props.get("EventSourceArn"), doc.value.get("Resources"))
                label = f"{rtype} {name} FilterCriteria"
                _filters(doc, (*base, "FilterCriteria"), label, (res_anchor,), emit, source)
        elif rtype == "AWS::Pipes::Pipe":
            fc = (*base, "SourceParameters", "FilterCriteria")
            if isinstance(doc.value_at(fc), dict):
                source = source_of_arn(props.get("Source"), doc.value.get("Resources"))
                _filters(doc, fc, f"{rtype} {name} FilterCriteria", (res_anchor,), emit, source)
        elif rtype == "AWS::SNS::Topic":
            prop("DataProtectionPolicy", "sns-data-protection-policy")
            prop("ArchivePolicy", "sns-archive-policy", context={"fifo_topic": fifo_topic(props)})
        elif rtype == "AWS::Logs::LogGroup":
            prop("DataProtectionPolicy", "cloudwatch-logs-data-protection-policy")
        elif rtype == "AWS::Logs::AccountPolicy":
            if props.get("PolicyType") == "DATA_PROTECTION_POLICY":
                prop("PolicyDocument", "cloudwatch-logs-data-protection-policy")
        elif rtype in cfn.STATE_MACHINE_TYPES:
            subs = "DefinitionSubstitutions" in props
            context = _machine_context(props, doc.value)
            prop("Definition", "state-machine", subs=subs, context=context)
            prop("DefinitionString", "state-machine", subs=subs, context=context)
            uri = cfn.definition_file(props)
            if uri is not None:
                p = (*base, "DefinitionUri")
                label = f"{rtype} {name} DefinitionUri"
                lint_file(folder / uri, "state-machine", doc.position(p), label, context)
            elif (key := cfn.definition_in_s3(props)) is not None:
                p = (*base, key)
                pos = doc.position(p)
                emit(
                    Diagnostic(
                        code=CODE_UNRESOLVED,
                        severity="info",
                        message=f"{rtype} {name} {key}: not checked, the definition is in S3",
                        line=pos[0],
                        column=pos[1],
                        source=doc.file,
                        extra={"anchor_lines": doc.anchor_lines(res_anchor, p)},
                    )
                )
        if rtype in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            events = props.get("Events")
            if isinstance(events, dict):
                for ev_name, ev in events.items():
                    _sam_event(doc, rtype, name, ev_name, ev, emit)


def _prop(
    doc: Doc,
    emit: Emit,
    name: str,
    rtype: str,
    props: dict[str, Any],
    key: str,
    kind: str,
    options: dict[str, str],
    subs: bool,
    context: dict[str, Any],
) -> None:
    if key in props:
        p: Path_ = ("Resources", name, "Properties", key)
        found = Found(p, kind, f"{rtype} {name} {key}", options, (("Resources", name), p), subs, context)
        value_targets(doc, found, emit)


def fifo_topic(props: dict[str, Any]) -> bool | None:
    """Whether an AWS::SNS::Topic is FIFO (``FifoTopic``, a boolean or its string; absent: a standard
    topic), None when only the deployment knows (an intrinsic function)."""
    value = props.get("FifoTopic", False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _archives(props: dict[str, Any]) -> bool | None:
    """Whether a topic's resource keeps an archive to replay from: FIFO with a non-empty ArchivePolicy
    (a JSON object or its text); None when a value is only known at deployment."""
    fifo = fifo_topic(props)
    policy = props.get("ArchivePolicy")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None  # its own diagnostic says why
    if intrinsic(policy) is not None or fifo is None:
        return None
    return bool(fifo and isinstance(policy, dict) and policy)


def _replay_needs_archive(doc: Doc, name: str, props: dict[str, Any], emit: Emit) -> None:
    """A ReplayPolicy on a subscription to a topic of the same template that archives nothing: the replay
    has no archive to read (SNS Developer Guide, message archiving and replay for FIFO topics)."""
    topic = intrinsic(props.get("TopicArn"))
    resources = doc.value.get("Resources") if isinstance(doc.value, dict) else None
    if topic is None or topic[0] != "Ref" or not isinstance(topic[1], str) or not isinstance(resources, dict):
        return
    res = resources.get(topic[1])
    if not isinstance(res, dict) or res.get("Type") != "AWS::SNS::Topic":
        return
    topic_props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
    if _archives(topic_props) is not False:
        return
    why = "is not a FIFO topic" if fifo_topic(topic_props) is False else "has no ArchivePolicy (or {}: off)"
    p: Path_ = ("Resources", name, "Properties", "ReplayPolicy")
    line, column = doc.key_pos(p) or doc.position(p)
    emit(
        Diagnostic(
            code="SNS205",
            severity="error",
            message=f"AWS::SNS::Subscription {name} ReplayPolicy: topic {topic[1]} {why}, so it keeps no "
            "archive to replay from",
            line=line,
            column=column,
            source=doc.file,
            extra={"anchor_lines": doc.anchor_lines(("Resources", name), p)},
        )
    )


def retention_days_message(value: Any) -> str | None:
    """What is wrong with an EventBridge archive's retention in days, else None. The archive keeps its
    events that many days, 0 for ever (CloudFormation's AWS::Events::Archive RetentionDays: an integer,
    "Minimum: 0", "If set to 0, events are retained indefinitely")."""
    if isinstance(value, str) and value.strip().isdigit():
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    return (
        "the retention must be a whole number of days, 0 or more (0 keeps the events indefinitely), "
        f"not {json.dumps(value, default=str)}"
    )


def _event_archive_retention(doc: Doc, p: Path_, label: str, emit: Emit) -> None:
    value = doc.value_at(p)
    message = None if intrinsic(value) is not None else retention_days_message(value)
    if message is None:
        return
    line, column = doc.position(p)
    emit(
        Diagnostic(
            code="SNS301",
            severity="error",
            message=f"{label} RetentionDays: {message}",
            line=line,
            column=column,
            source=doc.file,
            extra={"anchor_lines": doc.anchor_lines(p[:2], p)},
        )
    )


def _machine_context(props: dict[str, Any], template: Any) -> dict[str, Any]:
    """What a state machine resource tells the validator beyond its definition, as validate-asl reads
    it from the same template: the machine's type and the ``${Name}`` its deployment substitutes."""
    from tamis.compiler.asl.sources import Substitutions

    context: dict[str, Any] = {"substitutions": Substitutions.of_resource(props, template)}
    machine_type = cfn.machine_type(props)
    if machine_type is not None:
        context["machine_type"] = machine_type
    return context


def _sns_scope(scope: Any) -> tuple[str, dict[str, str]]:
    if scope == "MessageBody":
        return "sns-filter-policy-body", {"scope": "MessageBody"}
    return "sns-filter-policy", {"scope": "MessageAttributes"}


def _sam_event(doc: Doc, rtype: str, fn: str, ev_name: str, ev: Any, emit: Emit) -> None:
    if not isinstance(ev, dict) or not isinstance(ev.get("Properties"), dict):
        return
    etype = ev.get("Type")
    props = ev["Properties"]
    base: Path_ = ("Resources", fn, "Properties", "Events", ev_name, "Properties")
    anchors: tuple[Path_, ...] = (("Resources", fn), ("Resources", fn, "Properties", "Events", ev_name))
    label = f"{rtype} {fn} event {ev_name}"
    if etype in _SAM_FILTER_EVENTS and isinstance(props.get("FilterCriteria"), dict):
        source = _SAM_RECORD_SOURCE.get(etype)
        _filters(doc, (*base, "FilterCriteria"), f"{label} FilterCriteria", anchors, emit, source)
    elif etype in ("EventBridgeRule", "CloudWatchEvent") and "Pattern" in props:
        p = (*base, "Pattern")
        capture = Capture(emit)
        value_targets(doc, Found(p, "eventbridge-pattern", f"{label} Pattern", {}, (*anchors, p)), capture)
        if props.get("State", "ENABLED") == "ENABLED":
            bus = reference_text(props.get("EventBusName", "default"), doc.file)
            _subscriber(
                doc,
                ("Resources", fn, "Properties", "Events", ev_name),
                label,
                f"bus {bus}",
                capture,
                "eventbridge-pattern",
                (_sam_target(rtype, fn, doc.file),),
                emit,
                bus is not None,
            )
    elif etype == "SNS":
        kind, options = _sns_scope(props.get("FilterPolicyScope"))
        capture = Capture(emit)
        if "FilterPolicy" in props:
            p = (*base, "FilterPolicy")
            value_targets(doc, Found(p, kind, f"{label} FilterPolicy", options, (*anchors, p)), capture)
        topic = reference_text(props.get("Topic"), doc.file)
        _subscriber(
            doc,
            ("Resources", fn, "Properties", "Events", ev_name),
            label,
            f"topic {topic}",
            capture,
            kind,
            (_sam_target(rtype, fn, doc.file),),
            emit,
            topic is not None,
            every="FilterPolicy" not in props,
        )


# --- rule-set analysis: who receives what (tamis/lint/rule_sets.py) ---------------------------------


def _events_rule(doc: Doc, name: str, props: dict[str, Any], capture: Capture, emit: Emit) -> None:
    """The rule as a subscriber of its bus: an enabled rule with a pattern, its targets by their ARNs."""
    if "EventPattern" not in props or props.get("State", "ENABLED") != "ENABLED":
        return  # a schedule, or a rule that delivers nothing (DISABLED) or is built at deployment
    bus = reference_text(props.get("EventBusName", "default"), doc.file)
    targets = props.get("Targets")
    found: list[str] = []
    for target in targets if isinstance(targets, list) else ():
        text = reference_text(target.get("Arn"), doc.file) if isinstance(target, dict) else None
        if text is not None:
            found.append(text)
    label = f"AWS::Events::Rule {name}"
    _subscriber(
        doc,
        ("Resources", name),
        label,
        f"bus {bus}",
        capture,
        "eventbridge-pattern",
        tuple(found),
        emit,
        bus is not None,
    )


def _sns_subscription(doc: Doc, name: str, props: dict[str, Any], capture: Capture, emit: Emit) -> None:
    kind, _ = _sns_scope(props.get("FilterPolicyScope"))
    topic = reference_text(props.get("TopicArn"), doc.file)
    endpoint = reference_text(props.get("Endpoint"), doc.file)
    protocol = props.get("Protocol")
    if endpoint is None or not isinstance(protocol, str):
        return
    _subscriber(
        doc,
        ("Resources", name),
        f"AWS::SNS::Subscription {name}",
        f"topic {topic}",
        capture,
        kind,
        (f"{protocol} {endpoint}",),
        emit,
        topic is not None,
        every="FilterPolicy" not in props,
    )


def _sam_target(rtype: str, fn: str, scope: str) -> str:
    """What a SAM event's generated rule or subscription delivers to, spelt as a template would name it
    (a function by its ARN attribute, a state machine by Ref, which is its ARN)."""
    if rtype == "AWS::Serverless::Function":
        return f"!GetAtt {fn}.Arn @ {scope}"
    return f"!Ref {fn} @ {scope}"


def _subscriber(
    doc: Doc,
    where: Path_,
    label: str,
    channel: str,
    capture: Capture,
    kind: str,
    targets: tuple[str, ...],
    emit: Emit,
    known: bool,
    every: bool = False,
) -> None:
    if not known:
        return  # the bus or topic is built at deployment: nothing to compare it with
    line, column = doc.key_pos(where) or doc.position(where)
    pattern = EVERY_MESSAGE if every else capture.pattern()
    emit(Subscriber(channel, kind, pattern, targets, label, doc.file, line, column))


# --- stand-alone documents ---------------------------------------------------------------------------


def standalone(
    doc: Doc,
    kind: str,
    emit: Emit,
    substitutions: bool = False,
    label: str = "",
    context: dict[str, Any] | None = None,
) -> None:
    """A document that is itself a pattern, policy, filter criteria or state machine (``context``: what
    a template that names the file says about it, Target.context)."""
    name = label or doc.file
    if kind == "lambda-filter-criteria":
        if isinstance(doc.value_at(()), dict):
            _filters(doc, (), f"{name} FilterCriteria", (), emit)
        return
    if kind == "sns-attributes":
        # The AWS CLI's --attributes map: each policy is JSON text in a string value.
        attrs = doc.value_at(())
        if isinstance(attrs, dict):
            if "ArchivePolicy" in attrs:
                context = {"fifo_topic": fifo_topic(attrs)}
                found = Found(
                    ("ArchivePolicy",), "sns-archive-policy", f"{name} ArchivePolicy", {}, (), False, context
                )
                value_targets(doc, found, emit)
            if "ReplayPolicy" in attrs:
                value_targets(
                    doc, Found(("ReplayPolicy",), "sns-replay-policy", f"{name} ReplayPolicy", {}, ()), emit
                )
        return
    value_targets(doc, Found((), kind, name, {}, (), substitutions, dict(context or {})), emit)
