"""Data-protection policies (SNS message data protection, CloudWatch Logs) -> checked model -> runtime.

The text is parsed by the shared located JSON grammar (``grammar/json.lark``), so every rejection
names line, column and the rule broken. Rules and limits come from the SNS developer guide
(docs.aws.amazon.com/sns/latest/dg/sns-message-data-protection-*.html), the PutDataProtectionPolicy
API references of SNS and CloudWatch Logs, and the CloudWatch Logs data-protection pages; each
check names its rule in ``PolicyError.rule``. The two dialects share one
core: CloudWatch Logs is the SNS language without direction, principal, Deny, redaction or mask
characters, and with its two-block shape. Every difference between them is a hook of ``dialects.py``;
this module runs the shared steps (document, custom identifiers, statements, operations, audit
destinations, diagnostics) and builds the runtime.

Every independent mistake is found in one run, as the event-pattern compiler does: the error raised is
the one a single-error run raised (the first met), with the others in its ``more``, in the order found.
The checker recovers at each independent part (a top-level key, each custom identifier, each statement
and within it the Sid, DataDirection, each Principal entry, each DataIdentifier entry and the
Operation); a document that is not an object, a wrong or missing Version (another language), or a
Statement that is not an array stops the search below it. A check that relies on a part that failed is
skipped rather than reporting a consequence: a DataIdentifier naming a custom identifier whose
definition failed (or any custom name while the list is unreadable, over its limit or holds a Name that
failed), the whole-policy
Audit count and CloudWatch Logs two-statement shape while a statement's parts failed, an SNS statement's
missing Principal when its DataDirection is missing too (the CloudWatch Logs shape: one mistake).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tamis.compiler.data_protection.custom_identifiers import (
    MAX_CUSTOM_IDENTIFIERS,
    REGEX_MAX_MEM,
    check_custom_name,
    check_custom_regex,
)
from tamis.compiler.data_protection.dialects import DIALECTS as DIALECTS  # re-exported for tamis.policies
from tamis.compiler.data_protection.dialects import MASK_CHARACTERS as MASK_CHARACTERS  # re-exported
from tamis.compiler.data_protection.dialects import PolicyDialect, dialect_for
from tamis.compiler.data_protection.managed.catalogue import (
    ARN_PREFIX,
    MANAGED_TABLE,
    base_names,
    countries_of,
)
from tamis.compiler.data_protection.managed.detectors import detectors_for
from tamis.compiler.data_protection.managed.patterns import NOT_DETECTED_LOCALLY
from tamis.compiler.suggestions import did_you_mean
from tamis.errors import Diagnostic, PolicyError
from tamis.grammar.located_json import MAX_NESTING, LocatedJSON, parse_json, policy_text, refuse_repeated_keys
from tamis.runtime.json_values import first_problem, pointer
from tamis.runtime.redact.detector import Detector
from tamis.runtime.redact.redactor import Redactor, Rule
from tamis.runtime.redact.scanner import Scanner

VERSION = "2021-06-01"
MAX_POLICY_CHARS = 30_720  # PutDataProtectionPolicy / CreateTopic (SNS); PutDataProtectionPolicy (CWL)

Path = tuple[str | int, ...]
T = TypeVar("T")


class Failed:
    """The result of a part whose mistake was recorded (checks that rely on it are skipped)."""

    def __repr__(self) -> str:
        return "FAILED"


FAILED = Failed()


@dataclass(frozen=True)
class StatementModel:
    index: int
    sid: str | None
    direction: str | None
    principals: tuple[str, ...]
    identifiers: tuple[str, ...]  # finding names: managed short names (Ssn-US) or custom names
    operation: str  # audit | deny | mask | redact
    mask_char: str = "*"
    sample_rate: int = 100
    findings_destination: dict[str, Any] | None = None
    no_findings_destination: dict[str, Any] | None = None


@dataclass
class PolicyModel:
    dialect: str
    name: str
    description: str | None
    statements: list[StatementModel]
    custom: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def identifiers(self) -> list[str]:
        seen: dict[str, None] = {}
        for st in self.statements:
            for ident in st.identifiers:
                seen.setdefault(ident, None)
        return list(seen)


class PolicyContext:
    """The policy's located document: a rule broken at a path becomes a located ``PolicyError``; the
    mistakes met so far, in the order found (``record``)."""

    def __init__(self, doc: LocatedJSON | None, source: str | None) -> None:
        self.doc, self.source = doc, source
        self.errors: list[PolicyError] = []

    def record(self, exc: PolicyError) -> None:
        """Keep a mistake and go on with the next independent part."""
        self.errors.append(exc)

    def attempt(self, check: Callable[..., T], *args: Any) -> T | Failed:
        """``check(*args)``, or ``FAILED`` once its mistake is recorded."""
        try:
            return check(*args)
        except PolicyError as exc:
            self.record(exc)
            return FAILED

    def raise_found(self) -> None:
        """Raise the first mistake found, with the others in its ``more``."""
        if self.errors:
            first = self.errors[0]
            first.more = tuple(self.errors[1:])
            raise first

    def fail(self, message: str, path: Path, rule: str, *, key: bool = False) -> PolicyError:
        pointer = "/" + "/".join(str(p) for p in path)
        if self.doc is None:
            return PolicyError(message, rule=rule, pointer=pointer, source=self.source)
        line, col = self.doc.position(path, key=key)
        return PolicyError(message, line=line, column=col, source=self.source, rule=rule, pointer=pointer)

    def locate(self, exc: PolicyError, path: Path) -> PolicyError:
        again = self.fail(exc.message, path, exc.rule or "policy")
        return again


def _check_value(value: Any, source: str | None, doc: LocatedJSON | None = None) -> None:
    """Refuse, located, what no policy text can hold: nesting past the JSON reader's 200 levels, keys that
    are not strings, strings with a lone surrogate (not Unicode, so not UTF-8), integers too long to write."""
    problem = first_problem(value, MAX_NESTING)
    if problem is None:
        return
    path, key, message, rule = problem
    line, column = doc.position(path, key=key) if doc is not None else (None, None)
    raise PolicyError(message, line=line, column=column, source=source, rule=rule, pointer=pointer(path))


def load(policy: str | bytes | Mapping[str, Any], *, source: str | None = None) -> tuple[Any, PolicyContext]:
    """Parse the policy text (or take a ready dict), enforcing the size limit."""
    if isinstance(policy, Mapping):
        _check_value(policy, source)
        text = json.dumps(policy, separators=(",", ":"), ensure_ascii=False, default=str)
        if len(text) > MAX_POLICY_CHARS:
            raise PolicyError(
                f"policy is {len(text)} characters long; at most {MAX_POLICY_CHARS:,} are allowed",
                rule="size",
                source=source,
            )
        return dict(policy), PolicyContext(None, source)
    policy = policy_text(policy, name="policy", error=PolicyError, max_chars=MAX_POLICY_CHARS, source=source)
    doc = parse_json(policy, source=source, error=PolicyError)
    _check_value(doc.value, source, doc)
    ctx = PolicyContext(doc, source)
    refuse_repeated_keys(doc, PolicyError)
    return doc.value, ctx


def compile_model(
    policy: str | bytes | Mapping[str, Any], *, dialect: str = "sns", source: str | None = None
) -> PolicyModel:
    """Check every documented rule; return the model or raise a located ``PolicyError`` (the first
    mistake, with every other independent one in its ``more``)."""
    lang = dialect_for(dialect)
    value, ctx = load(policy, source=source)
    if not isinstance(value, dict):
        raise ctx.fail("a data-protection policy is a JSON object", (), "policy")
    allowed = {"Name", "Description", "Version", "Statement", "Configuration"}
    for key in value:
        if key not in allowed:
            ctx.record(ctx.fail(f"unknown top-level key {key!r}", (key,), "policy", key=True))
    # Name (required), Description (optional), Version (required, "2021-06-01")
    name = value.get("Name")
    if "Name" not in value:
        ctx.record(ctx.fail("policy Name is required", (), "Name"))
    elif not isinstance(name, str) or not name:
        ctx.record(ctx.fail("policy Name must be a non-empty string", ("Name",), "Name"))
    desc = value.get("Description")
    if desc is not None and not isinstance(desc, str):
        ctx.record(ctx.fail("policy Description must be a string", ("Description",), "Description"))
    if "Version" not in value:
        ctx.record(
            ctx.fail(f"policy Version is required (the policy-language version {VERSION!r})", (), "Version")
        )
    elif value["Version"] != VERSION:
        ctx.record(
            ctx.fail(
                f"policy Version must be {VERSION!r} (the data-protection policy language), "
                f"not {value['Version']!r}",
                ("Version",),
                "Version",
            )
        )
    if ctx.errors and ctx.errors[-1].rule == "Version":
        # Version names the language: a document without this one's (an IAM policy's "2012-10-17", say)
        # is not read as a data-protection policy below it, where every difference would be a consequence.
        ctx.raise_found()
    custom = _custom_identifiers(value, ctx)
    statements = _statements(value, custom, ctx, lang)
    ctx.raise_found()
    model = PolicyModel(dialect, name, desc, statements, custom.valid)
    _lint(model, ctx)
    return model


def _statements(
    value: dict[str, Any], custom: CustomIdentifiers, ctx: PolicyContext, lang: PolicyDialect
) -> list[StatementModel]:
    """The statements that compiled; the whole-policy checks run only when the parts they rely on did."""
    if "Statement" not in value:
        ctx.record(ctx.fail("policy Statement is required", (), "Statement"))
        return []
    stmts = value["Statement"]
    if not isinstance(stmts, list):
        ctx.record(ctx.fail("policy Statement must be an array of statements", ("Statement",), "Statement"))
        return []
    if not stmts:
        ctx.record(
            ctx.fail("policy Statement must contain at least one statement", ("Statement",), "Statement")
        )
        return []
    before = len(ctx.errors)
    # Each statement's operation ("Audit", "Deny", "Deidentify"; None when its Operation failed) and model
    # (None when any of its parts failed).
    kinds: list[str | None] = []
    statements: list[StatementModel | None] = []
    for i, st in enumerate(stmts):
        kind, model = _statement(st, i, custom, ctx, lang)
        kinds.append(kind)
        statements.append(model)
    if None in kinds:
        return []
    audits = [i for i, kind in enumerate(kinds) if kind == "Audit"]
    if len(audits) > 1:
        ctx.record(
            ctx.fail(
                "a policy may contain at most one Audit statement", ("Statement", audits[1]), "Audit.count"
            )
        )
        return []
    compiled = [st for st in statements if st is not None]
    # The shape needs every statement's identifiers and operation (a statement naming a custom identifier
    # whose definition failed has no mistake of its own, and no model).
    if len(ctx.errors) > before or len(compiled) != len(statements):
        return []
    ctx.attempt(lang.check_blocks, compiled, ctx)
    return compiled


@dataclass
class CustomIdentifiers:
    """The custom data identifiers of Configuration: those that compiled, and what a DataIdentifier entry
    may not be blamed for (a name whose definition failed, or any name when the list could not be read)."""

    valid: dict[str, str] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    unreadable: bool = False

    def known(self, name: str) -> bool | None:
        """True when defined, False when not, None when the definitions it depends on failed."""
        if name in self.valid:
            return True
        if name in self.failed or self.unreadable:
            return None
        return False


def _custom_identifiers(value: dict[str, Any], ctx: PolicyContext) -> CustomIdentifiers:
    out = CustomIdentifiers()
    conf = value.get("Configuration")
    if conf is None:
        return out
    if not isinstance(conf, dict):
        ctx.record(ctx.fail("Configuration must be an object", ("Configuration",), "Configuration"))
        out.unreadable = True
        return out
    for key in conf:
        if key != "CustomDataIdentifier":
            ctx.record(
                ctx.fail(
                    f"unknown Configuration key {key!r}", ("Configuration", key), "Configuration", key=True
                )
            )
    items = conf.get("CustomDataIdentifier", [])
    base = ("Configuration", "CustomDataIdentifier")
    if not isinstance(items, list):
        ctx.record(ctx.fail("CustomDataIdentifier must be an array", base, "CustomDataIdentifier"))
        out.unreadable = True
        return out
    if len(items) > MAX_CUSTOM_IDENTIFIERS:
        ctx.record(
            ctx.fail(
                f"{len(items)} custom data identifiers; at most {MAX_CUSTOM_IDENTIFIERS} are allowed per "
                "policy",
                (*base, MAX_CUSTOM_IDENTIFIERS),
                "CustomDataIdentifier.count",
            )
        )
        # The list must shrink, and which names stay is the author's choice: until then a reference to an
        # undefined custom name is not blamed (it may name one the author renames while trimming).
        out.unreadable = True
    managed = base_names()
    for i, item in enumerate(items):
        path = (*base, i)
        if not isinstance(item, dict):
            ctx.record(
                ctx.fail(
                    "a custom data identifier is an object with Name and Regex", path, "CustomDataIdentifier"
                )
            )
            out.unreadable = True  # its name is unknown: no reference can be blamed
            continue
        if isinstance(item.get("Name"), str):
            out.failed.add(item["Name"])  # until it compiles
        else:  # without a readable name, any undefined reference may mean this one
            out.unreadable = True
        before = len(ctx.errors)
        for key in item:
            if key not in ("Name", "Regex"):
                ctx.record(
                    ctx.fail(
                        f"unknown custom data identifier key {key!r}",
                        (*path, key),
                        "CustomDataIdentifier",
                        key=True,
                    )
                )
        for key in ("Name", "Regex"):
            if key not in item:
                ctx.record(
                    ctx.fail(f"custom data identifier {key} is required", path, f"CustomDataIdentifier.{key}")
                )
        cname: str | Failed = FAILED
        if "Name" in item:
            cname = ctx.attempt(_custom_name, item["Name"], managed, (*path, "Name"), out, ctx)
        regex: str | Failed = FAILED
        if "Regex" in item:
            regex = ctx.attempt(_custom_regex, item["Regex"], (*path, "Regex"), ctx)
        if len(ctx.errors) == before and isinstance(cname, str) and isinstance(regex, str):
            out.valid[cname] = regex
            out.failed.discard(cname)
    return out


def _custom_name(name: Any, managed: Any, path: Path, out: CustomIdentifiers, ctx: PolicyContext) -> str:
    try:
        cname = check_custom_name(name, managed)
    except PolicyError as exc:
        out.unreadable = True  # the name the author meant is unknown: no undefined reference is blamed
        raise ctx.locate(exc, path) from None
    if cname in out.valid:
        raise ctx.fail(
            f"custom data identifier Name {cname!r} is defined twice", path, "CustomDataIdentifier.Name"
        )
    return cname


def _custom_regex(regex: Any, path: Path, ctx: PolicyContext) -> str:
    try:
        return check_custom_regex(regex)
    except PolicyError as exc:
        raise ctx.locate(exc, path) from None


def _identifier(ref: Any, path: Path, custom: CustomIdentifiers, ctx: PolicyContext) -> str | Failed:
    """A statement's DataIdentifier entry -> the finding name (managed short name or custom name);
    ``FAILED`` without a mistake of its own when it names a custom identifier whose definition failed."""
    rule = "DataIdentifier"
    if not isinstance(ref, str):
        raise ctx.fail("a DataIdentifier entry must be a string", path, rule)
    if not ref.startswith("arn:"):
        known = custom.known(ref)
        if known:
            return ref
        if known is None:
            return FAILED
        raise ctx.fail(
            f"DataIdentifier {ref!r} is neither a managed identifier ARN ({ARN_PREFIX}<Name>) nor a custom "
            "data identifier defined in Configuration.CustomDataIdentifier",
            path,
            rule,
        )
    parts = ref.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("data-identifier/") or parts[2] != "dataprotection":
        raise ctx.fail(
            f"DataIdentifier {ref!r} is not a managed identifier ARN; expected {ARN_PREFIX}<Name>", path, rule
        )
    if parts[3] != "" or parts[4] != "aws" or not parts[1].startswith("aws"):
        raise ctx.fail(
            f"DataIdentifier {ref!r} is not a managed identifier ARN; expected {ARN_PREFIX}<Name>", path, rule
        )
    short = parts[5][len("data-identifier/") :]
    if short in MANAGED_TABLE:
        return short
    base, dash, cc = short.partition("-")
    suffixes = countries_of(base)
    if not suffixes:
        hint = did_you_mean(short, MANAGED_TABLE)
        raise ctx.fail(f"there is no managed data identifier named {short!r}{hint}", path, rule)
    if not dash:
        listed = ", ".join(sorted(f"{base}-{c}" for c in suffixes if c))
        raise ctx.fail(
            f"managed data identifier {base!r} depends on the country: add a country suffix ({listed})",
            path,
            rule,
        )
    if cc.upper() in suffixes and cc != cc.upper():
        raise ctx.fail(f"country suffix {cc!r} must be upper case ({base}-{cc.upper()})", path, rule)
    supported = ", ".join(sorted(c for c in suffixes if c)) or "none"
    raise ctx.fail(
        f"managed data identifier {base!r} does not support country {cc!r} (supported: {supported})",
        path,
        rule,
    )


def _statement(
    st: Any, i: int, custom: CustomIdentifiers, ctx: PolicyContext, dialect: PolicyDialect
) -> tuple[str | None, StatementModel | None]:
    """One statement -> (its operation key, its model); each independent part's mistake is recorded, and
    the model is None when any part failed (the key None when the Operation did)."""
    path: Path = ("Statement", i)
    if not isinstance(st, dict):
        ctx.record(ctx.fail("a statement is a JSON object", path, "Statement"))
        return None, None
    before = len(ctx.errors)
    for key in st:
        if key not in dialect.statement_keys:
            ctx.record(
                ctx.fail(
                    f"unknown statement key {key!r}{dialect.statement_key_hint}",
                    (*path, key),
                    "Statement",
                    key=True,
                )
            )
    sid = st.get("Sid")
    if sid is not None and not isinstance(sid, str):
        ctx.record(ctx.fail("Sid must be a string", (*path, "Sid"), "Sid"))
    direction, principals = dialect.direction_and_principals(st, path, ctx)
    idents: list[str | Failed] = [FAILED]
    if "DataIdentifier" not in st:
        ctx.record(ctx.fail("statement DataIdentifier is required", path, "DataIdentifier"))
    elif not isinstance(st["DataIdentifier"], list) or not st["DataIdentifier"]:
        ctx.record(
            ctx.fail("DataIdentifier must be a non-empty array", (*path, "DataIdentifier"), "DataIdentifier")
        )
    else:
        idents = [
            ctx.attempt(_identifier, r, (*path, "DataIdentifier", j), custom, ctx)
            for j, r in enumerate(st["DataIdentifier"])
        ]
    kind = ctx.attempt(_operation_kind, st, path, ctx, dialect)
    if isinstance(kind, Failed):
        return None, None
    found = ctx.attempt(_operation, st["Operation"][kind], kind, (*path, "Operation", kind), ctx, dialect)
    if len(ctx.errors) > before or isinstance(found, Failed) or any(isinstance(x, Failed) for x in idents):
        return kind, None
    op, extra = found
    names = tuple(x for x in idents if isinstance(x, str))
    assert principals is not None  # a part that failed recorded its mistake
    return kind, StatementModel(i, sid, direction, principals, names, op, **extra)


def _operation_kind(st: dict[str, Any], path: Path, ctx: PolicyContext, dialect: PolicyDialect) -> str:
    """The statement's one operation key (Audit, Deidentify, Deny)."""
    if "Operation" not in st:
        raise ctx.fail("statement Operation is required", path, "Operation")
    op = st["Operation"]
    opath = (*path, "Operation")
    if not isinstance(op, dict):
        raise ctx.fail("Operation must be an object", opath, "Operation")
    known = dialect.operations
    for key in op:
        if key not in known:
            raise dialect.unknown_operation(key, (*opath, key), ctx)
    if len(op) != 1:
        raise ctx.fail(
            f"a statement sets exactly one operation ({', '.join(known)}); found {len(op)}",
            opath,
            "Operation",
        )
    return next(iter(op))


def _operation(
    body: Any, kind: str, bpath: Path, ctx: PolicyContext, dialect: PolicyDialect
) -> tuple[str, dict[str, Any]]:
    """The body of the statement's operation ``kind`` -> (operation, the statement's extra fields)."""
    if kind == "Deny":
        return "deny", dialect.deny(body, bpath, ctx)
    if kind == "Audit":
        return "audit", _audit(body, bpath, ctx, dialect)
    if not isinstance(body, dict):
        raise ctx.fail("Deidentify must be an object", bpath, "Deidentify")
    for key in body:
        if key not in ("MaskConfig", "RedactConfig"):
            raise ctx.fail(f"unknown Deidentify key {key!r}", (*bpath, key), "Deidentify", key=True)
    return dialect.deidentify(body, bpath, ctx)


def _audit(body: Any, path: Path, ctx: PolicyContext, dialect: PolicyDialect) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ctx.fail("Audit must be an object", path, "Audit")
    for key in body:
        if key not in dialect.audit_keys:
            raise ctx.fail(f"unknown Audit key {key!r}", (*path, key), "Audit", key=True)
    rate = dialect.sample_rate(body, path, ctx)
    dialect.require_destination(body, path, ctx)
    dests = {}
    for key in ("FindingsDestination", "NoFindingsDestination"):
        if key in body:
            dests[key] = _destination(body[key], (*path, key), ctx, dialect)
    return {
        "sample_rate": rate,
        "findings_destination": dests.get("FindingsDestination"),
        "no_findings_destination": dests.get("NoFindingsDestination"),
    }


def _destination(v: Any, path: Path, ctx: PolicyContext, dialect: PolicyDialect) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ctx.fail("an audit destination must be an object", path, "Audit.destination")
    sinks = {"CloudWatchLogs": "LogGroup", "Firehose": "DeliveryStream", "S3": "Bucket"}
    for key, sub in v.items():
        kpath = (*path, key)
        if key not in sinks:
            raise ctx.fail(
                f"unknown audit destination {key!r}; expected CloudWatchLogs, Firehose or S3",
                kpath,
                "Audit.destination",
                key=True,
            )
        want = sinks[key]
        if not isinstance(sub, dict) or set(sub) != {want} or not isinstance(sub[want], str) or not sub[want]:
            raise ctx.fail(f'{key} destination must be {{"{want}": "<name>"}}', kpath, "Audit.destination")
        if key == "CloudWatchLogs":
            dialect.audit_log_group(sub[want], (*kpath, want), ctx)
    return dict(v)


def _lint(model: PolicyModel, ctx: PolicyContext) -> None:
    used = set(model.identifiers)
    for st in model.statements:
        for j, ident in enumerate(st.identifiers):
            if ident in NOT_DETECTED_LOCALLY:
                line, col = _pos(ctx, ("Statement", st.index, "DataIdentifier", j))
                model.diagnostics.append(
                    Diagnostic(
                        "DP501",  # identifier-not-local
                        "warning",
                        f"{ident} is detected by machine learning in the service; "
                        "tamis does not detect it locally",
                        f"/Statement/{st.index}/DataIdentifier/{j}",
                        line,
                        col,
                        ctx.source,
                    )
                )
        if "*" in st.principals and len(st.principals) > 1:
            line, col = _pos(ctx, ("Statement", st.index, "Principal"))
            model.diagnostics.append(
                Diagnostic(
                    "DP502",  # principal-redundant
                    "info",
                    'Principal lists "*" with other principals; the others are redundant',
                    f"/Statement/{st.index}/Principal",
                    line,
                    col,
                    ctx.source,
                )
            )
    for i, cname in enumerate(model.custom):
        if cname not in used:
            line, col = _pos(ctx, ("Configuration", "CustomDataIdentifier", i))
            model.diagnostics.append(
                Diagnostic(
                    "DP503",  # custom-identifier-unused
                    "warning",
                    f"custom data identifier {cname!r} is defined but no statement uses it",
                    f"/Configuration/CustomDataIdentifier/{i}",
                    line,
                    col,
                    ctx.source,
                )
            )


def _pos(ctx: PolicyContext, path: Path) -> tuple[int | None, int | None]:
    return ctx.doc.position(path) if ctx.doc is not None else (None, None)


def build_runtime(models: list[PolicyModel], *, max_mem: int = REGEX_MAX_MEM) -> tuple[Scanner, list[Rule]]:
    """Detectors for every identifier the policies name, and one ``Rule`` per statement.

    Several CloudWatch Logs policies (account level plus log group level) combine: their rules are
    simply concatenated, so an identifier named in either is audited and masked.
    """
    detectors: list[Detector] = []
    seen: set[str] = set()
    rules: list[Rule] = []
    for model in models:
        for ident in model.identifiers:
            if ident in seen:
                continue
            seen.add(ident)
            if ident in model.custom:
                detectors.append(Detector(name=ident, pattern=model.custom[ident]))
            else:
                detectors.extend(detectors_for(ident))
        for st in model.statements:
            rules.append(
                Rule(
                    index=len(rules),
                    sid=st.sid,
                    operation=st.operation,
                    identifiers=frozenset(st.identifiers),
                    direction=st.direction,
                    principals=frozenset(st.principals),
                    mask_char=st.mask_char,
                    sample_rate=st.sample_rate,
                )
            )
    audits = [r for r in rules if r.operation == "audit"]
    if len(audits) > 1:  # combined CloudWatch Logs policies: one audit over the union of identifiers
        merged = Rule(
            index=audits[0].index,
            sid=audits[0].sid,
            operation="audit",
            identifiers=frozenset().union(*(r.identifiers for r in audits)),
            sample_rate=max(r.sample_rate for r in audits),
        )
        rules = [merged if r is audits[0] else r for r in rules if r.operation != "audit" or r is audits[0]]
    return Scanner(detectors, max_mem=max_mem), rules


def build_redactor(models: list[PolicyModel]) -> Redactor:
    scanner, rules = build_runtime(models)
    return Redactor(scanner, rules)
