"""Finds patterns, policies and state machines in Terraform ``.tf`` files.

The HCL itself (the located Lark tree, strings and heredocs decoded with the offset of every character)
is read by grammar/hcl.py; this module knows which resource attributes hold what, and follows the value
of each to something checkable. Values may be a quoted string, a heredoc, ``jsonencode(...)`` of an HCL
object (each element located where it is written), ``file(...)`` or ``templatefile(...)`` (the
referenced file is linted, ``${...}`` accepted), a ``local.<name>`` defined in any ``.tf`` file of the
same folder, or a ``var.<name>`` whose ``variable`` block there has a ``default``; ``${local.x}`` and
``${var.x}`` inside strings and heredocs are substituted when they name a literal. The arguments of the
terraform-aws-modules modules that pass patterns, policies or state machines to those resources are
read too, and so is the ``content`` of a ``dynamic`` block. Anything else gets an info note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from tamis.errors import Diagnostic
from tamis.grammar import hcl
from tamis.grammar.placeholders import placeholder_ranges
from tamis.grammar.text import LineIndex
from tamis.lint.check import CODE_UNRESOLVED
from tamis.lint.cloudformation import Emit, LintFile, retention_days_message
from tamis.lint.rule_sets import EVERY_MESSAGE, PATTERN_KINDS, Capture, RuleTarget, Subscriber
from tamis.lint.targets import OffsetsMapper, Path_, Placeholder, Target

CODE_HCL_SYNTAX = "LNT003"  # hcl-syntax
# The resources that subscribe to a bus or topic, for the rule-set analysis.
_SUBSCRIBERS = ("aws_cloudwatch_event_rule", "aws_sns_topic_subscription")
# ``rule = aws_cloudwatch_event_rule.<name>.name`` (or ``.id``) in an aws_cloudwatch_event_target.
_RULE_REFERENCE = re.compile(r"aws_cloudwatch_event_rule\.([A-Za-z_][\w-]*)\.(?:name|id)")

# resource type -> [(attribute path through nested blocks, kind)]
_ATTRS: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "aws_cloudwatch_event_rule": [(("event_pattern",), "eventbridge-pattern")],
    "aws_cloudwatch_event_archive": [(("event_pattern",), "eventbridge-archive-pattern")],
    "aws_sns_topic_subscription": [
        (("filter_policy",), "sns-filter-policy"),
        (("replay_policy",), "sns-replay-policy"),
    ],
    "aws_lambda_event_source_mapping": [(("filter_criteria", "filter", "pattern"), "lambda-filter-pattern")],
    "aws_pipes_pipe": [
        (("source_parameters", "filter_criteria", "filter", "pattern"), "lambda-filter-pattern")
    ],
    "aws_sns_topic": [
        (("data_protection_policy",), "sns-data-protection-policy"),
        (("archive_policy",), "sns-archive-policy"),
    ],
    "aws_sns_topic_data_protection_policy": [(("policy",), "sns-data-protection-policy")],
    "aws_cloudwatch_log_data_protection_policy": [
        (("policy_document",), "cloudwatch-logs-data-protection-policy")
    ],
    "aws_cloudwatch_log_account_policy": [(("policy_document",), "cloudwatch-logs-data-protection-policy")],
    "aws_sfn_state_machine": [(("definition",), "state-machine")],
}

# terraform-aws-modules module name -> [(path through the module's arguments, kind)]. In a path, "*" is
# every element of a map (or list) and "**pattern" every ``pattern`` key below, whatever the nesting (the
# modules accept one filter object, a list of them, or ``filter``/``filters`` lists). Input shapes, from
# how each module passes its arguments on to the resources:
# https://github.com/terraform-aws-modules/terraform-aws-eventbridge/blob/master/main.tf (rules and
#   archives: ``lookup(each.value, "event_pattern", null)``) and .../pipes.tf (pipes: ``source_parameters``
#   with ``filter_criteria``; a top-level ``filter_criteria`` is read too),
# https://github.com/terraform-aws-modules/terraform-aws-lambda/blob/master/main.tf (event_source_mapping:
#   ``flatten([each.value.filter_criteria])``, each with ``pattern``),
# https://github.com/terraform-aws-modules/terraform-aws-sns/blob/master/main.tf (data_protection_policy;
#   subscriptions with ``filter_policy`` and ``filter_policy_scope``),
# https://github.com/terraform-aws-modules/terraform-aws-step-functions/blob/master/main.tf (definition).
_LAMBDA = "lambda-filter-pattern"
_MODULES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "eventbridge": [
        (("rules", "*", "event_pattern"), "eventbridge-pattern"),
        (("archives", "*", "event_pattern"), "eventbridge-archive-pattern"),
        (("pipes", "*", "source_parameters", "filter_criteria", "**pattern"), _LAMBDA),
        (("pipes", "*", "filter_criteria", "**pattern"), _LAMBDA),
    ],
    "lambda": [(("event_source_mapping", "*", "filter_criteria", "**pattern"), _LAMBDA)],
    "sns": [
        (("data_protection_policy",), "sns-data-protection-policy"),
        (("subscriptions", "*", "filter_policy"), "sns-filter-policy"),
    ],
    "step-functions": [(("definition",), "state-machine")],
}
# A module's source: the registry address (terraform-aws-modules/<name>/aws, maybe with a host and a
# //submodule) or a git/GitHub URL of terraform-aws-modules/terraform-aws-<name>.
_REGISTRY = re.compile(r"^(?:[\w.-]+/)?terraform-aws-modules/([\w-]+)/aws(?://.*)?$")
_GIT = re.compile(r"github\.com[:/]terraform-aws-modules/terraform-aws-([\w-]+?)(?:\.git)?(?:$|//|\?|/)")
_SCALARS = ("string", "int_lit", "float_lit", "literal_value", "heredoc_template", "heredoc_template_trim")
_INTERPOLATION = re.compile(r"\$\{~?\s*(local|var)\.([A-Za-z_][\w-]*)\s*~?\}")


def module_name(source: str) -> str | None:
    """The terraform-aws-modules module a ``source`` names (``eventbridge``), else None."""
    m = _REGISTRY.match(source) or _GIT.search(source)
    return m.group(1) if m is not None else None


_PARSED: dict[tuple[str, str], Tree | None] = {}


def _parse_cached(path: Path, text: str) -> Tree | None:
    """The tree of another file of a folder (None if it does not parse), parsed once however many files
    of that folder look a name up in it."""
    key = (str(path.resolve()), text)
    if key not in _PARSED:
        if len(_PARSED) > 256:
            _PARSED.clear()
        try:
            _PARSED[key] = hcl.parse_hcl(text)
        except Exception:
            _PARSED[key] = None
    return _PARSED[key]


class Scope:
    """The definitions of one module folder: ``locals`` and ``variable`` blocks of every ``.tf`` file,
    each with the file that holds it. Other files are parsed only when a name is missing from this one."""

    def __init__(self, owner: TerraformFile, path: Path | None) -> None:
        self.owner = owner
        self.path = path
        self.locals: dict[str, tuple[TerraformFile, Tree]] = {}
        self.variables: dict[str, tuple[TerraformFile, Tree | None]] = {}
        self.loaded = False
        self.unparsed: list[str] = []

    def add(self, source: TerraformFile, blocks: list[hcl.Block]) -> None:
        for block in blocks:
            if block.kind == "locals":
                for key, attr in block.attrs.items():
                    self.locals.setdefault(key, (source, attr))
            elif block.kind == "variable" and block.labels:
                self.variables.setdefault(block.labels[0], (source, block.attrs.get("default")))

    def load(self) -> None:
        """Read the other ``.tf`` files of the folder (once)."""
        if self.loaded:
            return
        self.loaded = True
        owner = self.owner
        try:
            others = sorted(p for p in owner.folder.glob("*.tf") if p.is_file())
        except OSError:
            return
        for other in others:
            if self.path is not None and other.resolve() == self.path:
                continue
            try:
                text = other.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self.unparsed.append(other.name)
                continue
            if "locals" not in text and "variable" not in text:
                continue
            display = str(Path(owner.file).with_name(other.name))
            sibling = TerraformFile(text, display, owner.folder, owner.emit, owner.lint_file, scope=self)
            tree = _parse_cached(other, text)
            if tree is None:  # reported when that file is linted itself, if it declares anything checked
                self.unparsed.append(other.name)
                continue
            body = hcl.top_body(tree)
            if body is not None:
                self.add(sibling, hcl.read_body(text, body)[1])

    def lookup(self, ns: str, ref: str) -> tuple[TerraformFile, Tree] | str:
        """The file and expression a ``local.<ref>`` or ``var.<ref>`` stands for, else why not."""
        table: dict[str, Any] = self.locals if ns == "local" else self.variables
        if ref not in table:
            self.load()
        if ref not in table:
            where = "declared in this folder" if ns == "var" else "defined in this folder"
            if self.unparsed:
                where += f" (not parsed: {', '.join(self.unparsed)})"
            return f"{ns}.{ref} is not {where}"
        source, node = table[ref]
        if node is None:
            return f"var.{ref} has no default: its value is set by the module's caller"
        return source, hcl.attribute_value(node)


class TerraformFile:
    """One ``.tf`` file: its resources' attributes, turned into targets (or notes) through ``emit``."""

    def __init__(
        self,
        text: str,
        file: str,
        folder: Path,
        emit: Emit,
        lint_file: LintFile,
        *,
        scope: Scope | None = None,
        path: Path | None = None,
    ) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.file = file
        self.folder = folder
        self.emit = emit
        self.lint_file = lint_file
        self.scope = scope if scope is not None else Scope(self, path)

    # -- resources --------------------------------------------------------------------------------------
    def run(self, trees: list[Tree]) -> None:
        blocks: list[hcl.Block] = []
        for tree in trees:
            body = hcl.top_body(tree)
            if body is not None:
                blocks.extend(hcl.read_body(self.text, body)[1])
        self.scope.add(self, blocks)
        self._replays_need_archives(blocks)
        for block in blocks:
            if block.kind == "module" and block.labels:
                self._module(block)
                continue
            if block.kind != "resource" or len(block.labels) < 2:
                continue
            rtype, rname = block.labels[0], block.labels[1]
            if rtype == "aws_cloudwatch_event_archive" and "retention_days" in block.attrs:
                self._retention_days(block.attrs["retention_days"], f"{rtype}.{rname} retention_days")
            for attr_path, kind in _ATTRS.get(rtype, ()):
                if rtype == "aws_cloudwatch_log_account_policy":
                    ptype = block.attrs.get("policy_type")
                    if ptype is None or self._literal_of(ptype) != "DATA_PROTECTION_POLICY":
                        continue
                options: dict[str, str] = {}
                if kind == "sns-archive-policy":
                    # the topic's fifo_topic (absent: a standard topic); unknown when not a literal
                    flag = block.attrs.get("fifo_topic")
                    literal = "false" if flag is None else self._literal(hcl.attribute_value(flag))
                    if literal in ("true", "false"):
                        options = {"fifo_topic": literal}
                elif kind == "sns-filter-policy":
                    scope = block.attrs.get("filter_policy_scope")
                    if scope is not None and self._literal_of(scope) == "MessageBody":
                        kind, options = "sns-filter-policy-body", {"scope": "MessageBody"}
                elif rtype == "aws_sfn_state_machine" and "type" in block.attrs:
                    # the validator's machine_type: an EXPRESS machine has rules of its own
                    machine_type = self._literal_of(block.attrs["type"])
                    if machine_type in ("STANDARD", "EXPRESS"):
                        options = {"machine_type": machine_type}
                capture = Capture(self.emit) if rtype in _SUBSCRIBERS and kind in PATTERN_KINDS else None
                emit, self.emit = self.emit, capture or self.emit
                try:
                    for attr, trail in self._find(block, attr_path, ()):
                        label = f"{rtype}.{rname} {'.'.join(trail)}"
                        self._attribute(attr, kind, label, options, (hcl.line(block.node),))
                finally:
                    self.emit = emit
                if capture is not None:
                    self._subscriber(block, rtype, rname, kind, capture)
            if rtype == "aws_cloudwatch_event_target":
                self._rule_target(block)

    def _replays_need_archives(self, blocks: list[hcl.Block]) -> None:
        """A replay_policy on a subscription to a topic of the same module that archives nothing (not FIFO,
        or no archive_policy): the replay has no archive to read."""
        topics: dict[str, str | None] = {}  # name -> why it archives nothing, None when it may archive
        for b in blocks:
            if b.kind == "resource" and b.labels[:1] == ["aws_sns_topic"] and len(b.labels) > 1:
                flag = b.attrs.get("fifo_topic")
                fifo = "false" if flag is None else self._literal(hcl.attribute_value(flag))
                why = None
                if fifo == "false":
                    why = "is not a FIFO topic"
                elif fifo == "true" and "archive_policy" not in b.attrs:
                    why = "has no archive_policy"
                topics[b.labels[1]] = why
        for b in blocks:
            if b.kind != "resource" or b.labels[:1] != ["aws_sns_topic_subscription"] or len(b.labels) < 2:
                continue
            replay, arn = b.attrs.get("replay_policy"), b.attrs.get("topic_arn")
            if replay is None or arn is None:
                continue
            value = hcl.unwrap(hcl.attribute_value(arn))
            ref = self.text[hcl.start(value) : hcl.end(value)].split(".")
            if len(ref) != 3 or ref[0] != "aws_sns_topic" or ref[2] != "arn" or topics.get(ref[1]) is None:
                continue
            label = f"aws_sns_topic_subscription.{b.labels[1]} replay_policy"
            line, column = hcl.position(replay)
            self.emit(
                Diagnostic(
                    code="SNS205",
                    severity="error",
                    message=f"{label}: topic aws_sns_topic.{ref[1]} {topics[ref[1]]}, so it keeps no archive "
                    "to replay from",
                    line=line,
                    column=column,
                    source=self.file,
                    extra={"target": label, "anchor_lines": (hcl.line(b.node),)},
                )
            )

    def _retention_days(self, attr: Tree, label: str) -> None:
        """An EventBridge archive's retention_days (a literal, through locals and variable defaults)."""
        node = hcl.attribute_value(attr)
        literal = self._literal(node)
        if literal is None:
            raw = self.text[hcl.start(hcl.unwrap(node)) : hcl.end(hcl.unwrap(node))].replace(" ", "")
            if not (raw.startswith("-") and raw[1:].isdigit()):
                return  # known at plan time: the provider and the service check it then
            literal = raw  # a negative number is an operation in HCL's grammar
        value: Any = int(literal) if literal.lstrip("-").isdigit() else literal
        message = retention_days_message(value)
        if message is not None:
            line, column = hcl.position(hcl.unwrap(node))
            self.emit(
                Diagnostic(
                    code="SNS301",
                    severity="error",
                    message=f"{label}: {message}",
                    line=line,
                    column=column,
                    source=self.file,
                    extra={"target": label, "anchor_lines": (hcl.line(attr),)},
                )
            )

    def _find(
        self, block: hcl.Block, path: tuple[str, ...], trail: tuple[str, ...]
    ) -> list[tuple[Tree, tuple[str, ...]]]:
        head, rest = path[0], path[1:]
        if not rest:
            return [(block.attrs[head], (*trail, head))] if head in block.attrs else []
        out = []
        # A ``dynamic "<head>" { content { ... } }`` block stands for the blocks it generates: its content
        # is read like them (a value built from the iterator then gets a note, as any plan-time value).
        subs = [
            (b, head)
            if b.kind == head
            else (next((c for c in b.blocks if c.kind == "content"), None), f"dynamic {head}")
            for b in block.blocks
            if b.kind == head or (b.kind == "dynamic" and b.labels[:1] == [head])
        ]
        for i, (sub, name) in enumerate(subs):
            if sub is None:
                continue
            step = f"{name}[{i}]" if len(subs) > 1 else name
            out.extend(self._find(sub, rest, (*trail, step)))
        return out

    # -- rule-set analysis: who receives what (tamis/lint/rule_sets.py) --------------------------------
    def _subscriber(self, block: hcl.Block, rtype: str, rname: str, kind: str, capture: Capture) -> None:
        """An enabled event rule with a pattern, or an SNS subscription, as a subscriber of its bus or
        topic (an event rule's targets are separate resources: RuleTarget)."""
        attrs = block.attrs
        scope = self.folder.as_posix()
        line, column = hcl.position(block.node)
        label = f"{rtype}.{rname}"
        if rtype == "aws_cloudwatch_event_rule":
            if "event_pattern" not in attrs or not self._enabled(attrs):
                return
            bus = self._reference(attrs["event_bus_name"], scope) if "event_bus_name" in attrs else "default"
            if bus is None:
                return
            keys = [f"{rtype}.{rname} @ {scope}"]
            name = self._literal(hcl.attribute_value(attrs["name"])) if "name" in attrs else None
            if name is not None:
                keys.append(f"name {name} @ {scope}")
            pattern = capture.pattern()
            self.emit(
                Subscriber(f"bus {bus}", kind, pattern, (), label, self.file, line, column, tuple(keys))
            )
            return
        topic = self._reference(attrs["topic_arn"], scope) if "topic_arn" in attrs else None
        endpoint = self._reference(attrs["endpoint"], scope) if "endpoint" in attrs else None
        protocol = self._literal(hcl.attribute_value(attrs["protocol"])) if "protocol" in attrs else None
        if topic is None or endpoint is None or protocol is None:
            return
        pattern = capture.pattern() if "filter_policy" in attrs else EVERY_MESSAGE
        target = (f"{protocol} {endpoint}",)
        self.emit(Subscriber(f"topic {topic}", kind, pattern, target, label, self.file, line, column))

    def _enabled(self, attrs: dict[str, Tree]) -> bool:
        """The rule surely delivers: ``state`` (or the older ``is_enabled``) says so or is left out."""
        if "state" in attrs:
            return self._literal(hcl.attribute_value(attrs["state"])) in (
                "ENABLED",
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            )
        if "is_enabled" in attrs:
            return self._literal(hcl.attribute_value(attrs["is_enabled"])) == "true"
        return True

    def _rule_target(self, block: hcl.Block) -> None:
        attrs = block.attrs
        if "rule" not in attrs or "arn" not in attrs:
            return
        scope = self.folder.as_posix()
        target = self._reference(attrs["arn"], scope)
        rule = hcl.unwrap(hcl.attribute_value(attrs["rule"]))
        name = self._literal(rule)
        if name is not None:
            key = f"name {name} @ {scope}"
        else:
            m = _RULE_REFERENCE.fullmatch(" ".join(self.text[hcl.start(rule) : hcl.end(rule)].split()))
            key = f"aws_cloudwatch_event_rule.{m.group(1)} @ {scope}" if m else None
        if target is not None and key is not None:
            self.emit(RuleTarget((key,), target))

    def _reference(self, attr: Tree, scope: str) -> str | None:
        """How a bus, topic or target is compared: a literal as itself (through locals and variable
        defaults), a resource attribute (``aws_sqs_queue.q.arn``) as written within ``scope``; else None."""
        expr = hcl.unwrap(hcl.attribute_value(attr))
        literal = self._literal(expr)
        if literal is not None:
            return literal if "${" not in literal else None
        if expr.data != "get_attr_expr_term" or self._ref(expr) is not None:
            return None  # a computed value, or a local/variable without a literal value
        raw = self.text[hcl.start(expr) : hcl.end(expr)]
        return f"{''.join(raw.split())} @ {scope}"

    # -- terraform-aws-modules modules ----------------------------------------------------------------
    def _module(self, block: hcl.Block) -> None:
        source = block.attrs.get("source")
        name = module_name(self._literal_of(source) or "") if source is not None else None
        if name is None or name not in _MODULES:
            return
        for path, kind in _MODULES[name]:
            attr = block.attrs.get(path[0])
            if attr is None:
                continue
            label = f"module.{block.labels[0]} {path[0]}"
            anchors = (hcl.line(block.node), hcl.line(attr))
            self._module_value(hcl.attribute_value(attr), path[1:], kind, label, anchors, None, 0)

    def _module_value(
        self,
        expr: Tree,
        path: tuple[str, ...],
        kind: str,
        label: str,
        anchors: tuple[int, ...],
        parent: Tree | None,
        depth: int,
    ) -> None:
        """Follow ``path`` through the HCL object ``expr`` (of this file) to the values to check."""
        if not path:
            options: dict[str, str] = {}
            if kind == "sns-filter-policy" and parent is not None:
                scope = self._elem(parent, "filter_policy_scope")
                if scope is not None and self._literal(scope) == "MessageBody":
                    kind, options = "sns-filter-policy-body", {"scope": "MessageBody"}
            self._value(expr, kind, label, options, anchors, depth)
            return
        node = hcl.unwrap(expr)
        resolved = self._follow(node, depth)
        if isinstance(resolved, str):
            self._note(node, label, resolved, anchors)
            return
        owner, node = resolved
        if owner is not self:
            owner._module_value(node, path, kind, f"{label} ({self._raw(expr)})", (), parent, depth + 1)
            return
        head, rest = path[0], path[1:]
        if node.data not in ("object", "tuple"):
            self._note(node, label, f"its value ({self._raw(node)}) is known only at plan time", anchors)
            return
        if head == "*" or head.startswith("**"):
            items = self._items(node)
            if head.startswith("**"):
                key = head[2:]
                for step, value in items:
                    if step == key:
                        self._module_value(value, (), kind, f"{label}.{step}", anchors, node, depth)
                    elif hcl.unwrap(value).data not in _SCALARS:  # objects, lists, references: look in
                        self._module_value(value, path, kind, f"{label}.{step}", anchors, node, depth)
                return
            for step, value in items:
                self._module_value(value, rest, kind, f"{label}.{step}", anchors, node, depth)
            return
        value = self._elem(node, head) if node.data == "object" else None
        if value is not None:
            self._module_value(value, rest, kind, f"{label}.{head}", anchors, node, depth)

    def _follow(self, node: Tree, depth: int) -> tuple[TerraformFile, Tree] | str:
        """``node``, or what the ``local``/``var`` reference it is stands for, with the file that holds it."""
        owner: TerraformFile = self
        for _ in range(10):
            ref = owner._ref(node)
            if ref is None:
                return owner, node
            found = owner.scope.lookup(*ref)
            if isinstance(found, str):
                return found
            owner, node = found[0], hcl.unwrap(found[1])
        return "its value is defined through too many locals"

    def _items(self, node: Tree) -> list[tuple[str, Tree]]:
        """The elements of an HCL object (by key) or tuple (by index)."""
        if node.data == "tuple":
            items = [c for c in hcl.children(node) if c.data != "new_line_or_comment"]
            return [(f"[{i}]", c) for i, c in enumerate(items)]
        out = []
        for elem in hcl.children(node):
            if elem.data == "object_elem":
                parts = hcl.children(elem)
                out.append((self._key(parts[0]), parts[-1]))
        return out

    def _elem(self, node: Tree, key: str) -> Tree | None:
        node = hcl.unwrap(node)
        if node.data != "object":
            return None
        return next((v for k, v in self._items(node) if k == key), None)

    def _key(self, key_elem: Tree) -> str:
        key_node = hcl.unwrap(key_elem.children[0]) if key_elem.children else key_elem
        if isinstance(key_node, Tree) and key_node.data == "identifier":
            return hcl.name(key_node)
        if isinstance(key_node, Tree) and key_node.data == "string":
            return hcl.string_value(self.text, key_node)[0]
        return self.text[hcl.start(key_elem) : hcl.end(key_elem)]

    def _raw(self, node: Tree) -> str:
        return _short(self.text[hcl.start(node) : hcl.end(node)])

    # -- values -------------------------------------------------------------------------------------
    def _note(self, node: Tree, label: str, why: str, anchors: tuple[int, ...]) -> None:
        line, column = hcl.position(node)
        self.emit(
            Diagnostic(
                code=CODE_UNRESOLVED,
                severity="info",
                message=f"{label}: not checked, {why}",
                line=line,
                column=column,
                source=self.file,
                extra={"target": label, "anchor_lines": anchors},
            )
        )

    def _attribute(
        self, attr: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...]
    ) -> None:
        expr = hcl.attribute_value(attr)
        self._value(expr, kind, label, options, (*anchors, hcl.line(attr)), 0)

    def _value(
        self, expr: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...], depth: int
    ) -> None:
        node = hcl.unwrap(expr)
        if depth > 10:
            self._note(node, label, "its value is defined through too many locals", anchors)
            return
        data = node.data
        if data == "string":
            text, offsets, interpolated = hcl.string_value(self.text, node)
            self._string_target(text, offsets, node, kind, label, options, anchors, interpolated)
        elif data in ("heredoc_template", "heredoc_template_trim"):
            text, offsets = hcl.heredoc_value(node)
            self._string_target(text, offsets, node, kind, label, options, anchors, "${" in text)
        elif data == "function_call":
            self._call(node, kind, label, options, anchors, depth)
        elif (ref := self._ref(node)) is not None:
            found = self.scope.lookup(*ref)
            if isinstance(found, str):
                self._note(node, label, found, anchors)
                return
            owner, value = found
            what = f"{ref[0]}.{ref[1]}" + (" default" if ref[0] == "var" else "")
            if owner is not self:
                what += f" in {Path(owner.file).name}"
                anchors = ()
            owner._value(value, kind, f"{label} ({what})", options, anchors, depth + 1)
        else:
            raw = self.text[hcl.start(node) : hcl.end(node)]
            self._note(node, label, f"its value ({_short(raw)}) is known only at plan time", anchors)

    def _call(
        self,
        node: Tree,
        kind: str,
        label: str,
        options: dict[str, str],
        anchors: tuple[int, ...],
        depth: int,
        arg: Tree | None = None,
    ) -> None:
        parts = hcl.children(node)
        fname = hcl.name(parts[0])
        args_node = next((p for p in parts if p.data == "arguments"), None)
        args = hcl.children(args_node) if args_node is not None else []
        if arg is not None:  # jsonencode(local.x) with local.x in this file: check the local's value here
            fname, args = "jsonencode", [arg]
        if fname == "jsonencode" and args:
            arg = hcl.unwrap(args[0])
            if self._ref(arg) is not None:
                resolved = self._follow(arg, depth)
                if isinstance(resolved, str):
                    self._note(arg, label, resolved, anchors)
                    return
                if resolved[0] is not self:
                    resolved[0]._call(node, kind, label, options, (), depth + 1, arg=resolved[1])
                    return
                arg = resolved[1]
            spans: dict[Path_, tuple[int, int]] = {}
            keys: dict[Path_, tuple[int, int]] = {}
            value = self._convert(arg, (), spans, keys, 0)
            if isinstance(value, Placeholder):
                self._note(
                    arg, label, f"its value ({_short(value.text)}) is known only at plan time", anchors
                )
                return
            anchor = hcl.position(arg)
            self.emit(
                Target.structured(
                    value,
                    spans.get,
                    keys.get,
                    anchor,
                    kind=kind,
                    file=self.file,
                    label=label,
                    options=options,
                    anchor_lines=anchors,
                    pointer_positions=_pointer_positions(spans),
                )
            )
            return
        if fname in ("file", "templatefile") and args:
            target = self._path_arg(args[0])
            if target is None:
                self._note(args[0], label, "the file name is known only at plan time", anchors)
                return
            self.lint_file(target, kind, hcl.position(args[0]), f"{label} ({fname})", options)
            return
        self._note(node, label, f"it is built with {fname}(), known only at plan time", anchors)

    def _path_arg(self, node: Tree) -> Path | None:
        node = hcl.unwrap(node)
        if node.data != "string":
            return None
        raw = self.text[hcl.start(node) + 1 : hcl.end(node) - 1]
        for ref in ("${path.module}", "${path.root}", "${path.cwd}"):
            raw = raw.replace(ref, str(self.folder))
        if "${" in raw:
            return None
        path = Path(raw)
        return path if path.is_absolute() else self.folder / path

    def _ref(self, node: Tree) -> tuple[str, str] | None:
        """``("local", name)`` or ``("var", name)`` when ``node`` is exactly such a reference."""
        if node.data != "get_attr_expr_term":
            return None
        parts = hcl.children(node)
        head = hcl.unwrap(parts[0])
        if len(parts) != 2 or head.data != "identifier" or parts[1].data != "get_attr":
            return None
        ns = hcl.name(head)
        if ns not in ("local", "var"):
            return None
        ident = next((c for c in hcl.children(parts[1]) if c.data == "identifier"), None)
        return (ns, hcl.name(ident)) if ident is not None else None

    def _literal_of(self, attr: Tree) -> str | None:
        return hcl.string_literal(self.text, hcl.unwrap(hcl.attribute_value(attr)))

    def _literal(self, expr: Tree) -> str | None:
        """A literal string, number or bool (through locals and variable defaults), as text, else None."""
        resolved = self._follow(hcl.unwrap(expr), 0)
        if isinstance(resolved, str):
            return None
        owner, node = resolved
        if node.data == "string":
            return hcl.string_literal(owner.text, node)
        if node.data in ("int_lit", "float_lit"):
            return hcl.name(node)
        if node.data == "literal_value" and hcl.name(node) in ("true", "false"):
            return hcl.name(node)
        return None

    def _substitute(self, text: str, offsets: list[int]) -> tuple[str, list[int]]:
        """``${local.x}`` and ``${var.x}`` of ``text`` replaced by the literal they name (each character
        of the value placed where the ``${`` was written); the others kept as written."""
        if "${" not in text:
            return text, offsets
        out: list[str] = []
        where: list[int] = []
        last = 0
        for m in _INTERPOLATION.finditer(text):
            ns, ref = m.group(1), m.group(2)
            found = self.scope.lookup(ns, ref)
            value = None if isinstance(found, str) else found[0]._literal(found[1])
            if value is None:
                continue
            out.append(text[last : m.start()])
            where.extend(offsets[last : m.start()])
            out.append(value)
            where.extend([offsets[m.start()]] * len(value))
            last = m.end()
        if not out:
            return text, offsets
        out.append(text[last:])
        where.extend(offsets[last:])
        return "".join(out), where

    def _string_target(
        self,
        text: str,
        offsets: list[int],
        node: Tree,
        kind: str,
        label: str,
        options: dict[str, str],
        anchors: tuple[int, ...],
        interpolated: bool,
    ) -> None:
        ranges: list[tuple[int, int]] = []
        if interpolated:
            text, offsets = self._substitute(text, offsets)
            interpolated = "${" in text
        raw = text  # with the placeholders left, as validate-asl reads a template
        directives = "%{" in text
        if interpolated or directives:
            text, ranges = placeholder_ranges(text, directives=True)
        self.emit(
            Target(
                kind=kind,
                text=text,
                file=self.file,
                mapper=OffsetsMapper(self.index, offsets, hcl.position(node)),
                anchor=hcl.position(node),
                label=label,
                options=options,
                unresolved=ranges,
                raw_text=raw,
                anchor_lines=anchors,
                lenient_syntax=directives,
            )
        )

    # -- HCL expressions to plain values, for jsonencode ------------------------------------------------
    def _convert(
        self,
        expr: Tree,
        path: Path_,
        spans: dict[Path_, tuple[int, int]],
        keys: dict[Path_, tuple[int, int]],
        depth: int,
    ) -> Any:
        node = hcl.unwrap(expr)
        spans[path] = hcl.position(node)
        data = node.data
        if depth > 100:
            return Placeholder("${...}")
        if data == "object":
            out: dict[str, Any] = {}
            for elem in hcl.children(node):
                if elem.data != "object_elem":
                    continue
                parts = hcl.children(elem)
                key = self._key(parts[0])
                child = (*path, key)
                keys[child] = hcl.position(parts[0])
                out[key] = self._convert(parts[-1], child, spans, keys, depth + 1)
            return out
        if data == "tuple":
            items = [c for c in hcl.children(node) if c.data != "new_line_or_comment"]
            return [self._convert(c, (*path, i), spans, keys, depth + 1) for i, c in enumerate(items)]
        if data == "string":
            text, offsets, interpolated = hcl.string_value(self.text, node)
            if interpolated:
                text = self._substitute(text, offsets)[0]
            return Placeholder(text) if "${" in text else text
        if data in ("heredoc_template", "heredoc_template_trim"):
            text, offsets = hcl.heredoc_value(node)
            text = self._substitute(text, offsets)[0]
            return Placeholder(text) if "${" in text else text
        if data in ("int_lit", "float_lit"):
            return hcl.number(hcl.name(node))
        if data == "literal_value":
            return {"true": True, "false": False, "null": None}.get(hcl.name(node))
        if data == "unary_op":
            tok = next((c for c in node.children if isinstance(c, Token)), None)
            inner = hcl.children(node)
            if tok is not None and str(tok) == "-" and inner:
                v = self._convert(inner[0], path, spans, keys, depth + 1)
                spans[path] = hcl.position(node)
                if isinstance(v, int | Decimal) and not isinstance(v, bool):
                    return -v
        if self._ref(node) is not None:
            resolved = self._follow(node, depth)
            if not isinstance(resolved, str):
                owner, value = resolved
                if owner is self:
                    return self._convert(value, path, spans, keys, depth + 1)
                # Defined in another file: its parts are located at the reference, in this one.
                return owner._convert(value, path, {}, {}, depth + 1)
        raw = self.text[hcl.start(node) : hcl.end(node)]
        return Placeholder("${" + _short(raw) + "}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _pointer_positions(spans: dict[Path_, tuple[int, int]]) -> Callable[[str], tuple[int, int] | None]:
    from tamis.lint.check import pointer_lookup

    def position(path: Path_) -> tuple[int | None, int | None]:
        p = tuple(path)
        while True:
            if p in spans:
                return spans[p]
            if not p:
                return None, None
            p = p[:-1]

    return pointer_lookup(position, lambda p: tuple(p) in spans)


def _syntax(exc: Exception, file: str, what: str) -> Diagnostic:
    if isinstance(exc, UnexpectedInput):
        why = _short(str(exc).splitlines()[0]) if str(exc) else "syntax error"
        line, column = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    else:  # the HCL library may raise its own errors for odd input
        why, line, column = _short(str(exc)) or type(exc).__name__, 1, 1
    return Diagnostic(
        code=CODE_HCL_SYNTAX,
        severity="error",
        message=f"invalid HCL: {why}; {what} not checked",
        line=line,
        column=column,
        source=file,
    )


def _head(text: str, first: int) -> str:
    head = " ".join(text[first : text.find("{", first)].split())
    return (head if len(head) <= 80 else head[:77] + "...") or "text"


def lint_terraform(text: str, file: str, folder: Path, emit: Emit, lint_file: LintFile) -> None:
    if (
        not any(rtype in text for rtype in _ATTRS)
        and "terraform-aws-modules" not in text
        and "aws_cloudwatch_event_target" not in text
    ):
        return  # nothing tamis checks is declared here: no need to parse (most .tf files of a repository)
    trees: list[Tree] = []
    try:
        trees.append(hcl.parse_hcl(text))
    except Exception as exc:
        # Parse each top-level block on its own, so that one broken block hides no other; each block that
        # still fails is reported, saying that what it declares was not checked.
        segments = hcl.top_level_segments(text)
        if len(segments) < 2:
            emit(_syntax(exc, file, "this file's resources were"))
            return
        for first, stop in segments:
            try:
                trees.append(hcl.parse_segment(text, first, stop))
            except Exception as part_exc:
                emit(
                    _syntax(
                        part_exc,
                        file,
                        f"the block {_head(text, first)} (line {text.count(chr(10), 0, first) + 1}) was",
                    )
                )
    path = (folder / Path(file).name).resolve()
    TerraformFile(text, file, folder, emit, lint_file, path=path).run(trees)
