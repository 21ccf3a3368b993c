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
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
from tamis.grammar.located_json import LocatedJSON, parse_json
from tamis.runtime.redact.detector import Detector
from tamis.runtime.redact.redactor import Redactor, Rule
from tamis.runtime.redact.scanner import Scanner

VERSION = "2021-06-01"
MAX_POLICY_CHARS = 30_720  # PutDataProtectionPolicy / CreateTopic (SNS); PutDataProtectionPolicy (CWL)

Path = tuple[str | int, ...]


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
    """The policy's located document: a rule broken at a path becomes a located ``PolicyError``."""

    def __init__(self, doc: LocatedJSON | None, source: str | None) -> None:
        self.doc, self.source = doc, source

    def fail(self, message: str, path: Path, rule: str, *, key: bool = False) -> PolicyError:
        pointer = "/" + "/".join(str(p) for p in path)
        if self.doc is None:
            return PolicyError(message, rule=rule, pointer=pointer, source=self.source)
        line, col = self.doc.position(path, key=key)
        return PolicyError(message, line=line, column=col, source=self.source, rule=rule, pointer=pointer)

    def locate(self, exc: PolicyError, path: Path) -> PolicyError:
        again = self.fail(exc.message, path, exc.rule or "policy")
        return again


def load(policy: str | bytes | Mapping[str, Any], *, source: str | None = None) -> tuple[Any, PolicyContext]:
    """Parse the policy text (or take a ready dict), enforcing the size limit."""
    if isinstance(policy, Mapping):
        text = json.dumps(policy, separators=(",", ":"), ensure_ascii=False, default=str)
        if len(text) > MAX_POLICY_CHARS:
            raise PolicyError(
                f"policy is {len(text)} characters long; at most {MAX_POLICY_CHARS:,} are allowed",
                rule="size",
                source=source,
            )
        return dict(policy), PolicyContext(None, source)
    if isinstance(policy, bytes | bytearray):
        try:
            policy = bytes(policy).decode("utf-8")
        except UnicodeDecodeError:
            raise PolicyError(
                "policy is not valid UTF-8", line=1, column=1, source=source, rule="json"
            ) from None
    if not isinstance(policy, str):
        raise PolicyError("policy must be JSON text, bytes or a dict", rule="json", source=source)
    if len(policy) > MAX_POLICY_CHARS:
        raise PolicyError(
            f"policy is {len(policy):,} characters long; at most {MAX_POLICY_CHARS:,} are allowed",
            line=1,
            column=1,
            source=source,
            rule="size",
        )
    doc = parse_json(policy, source=source, error=PolicyError)
    ctx = PolicyContext(doc, source)
    if doc.duplicates:
        path, line, col = doc.duplicates[0]
        raise PolicyError(
            f"key {path[-1]!r} appears twice in the same object",
            line=line,
            column=col,
            source=source,
            rule="json",
        )
    return doc.value, ctx


def compile_model(
    policy: str | bytes | Mapping[str, Any], *, dialect: str = "sns", source: str | None = None
) -> PolicyModel:
    """Check every documented rule; return the model or raise a located ``PolicyError``."""
    lang = dialect_for(dialect)
    value, ctx = load(policy, source=source)
    if not isinstance(value, dict):
        raise ctx.fail("a data-protection policy is a JSON object", (), "policy")
    allowed = {"Name", "Description", "Version", "Statement", "Configuration"}
    for key in value:
        if key not in allowed:
            raise ctx.fail(f"unknown top-level key {key!r}", (key,), "policy", key=True)
    # Name (required), Description (optional), Version (required, "2021-06-01")
    if "Name" not in value:
        raise ctx.fail("policy Name is required", (), "Name")
    name = value["Name"]
    if not isinstance(name, str) or not name:
        raise ctx.fail("policy Name must be a non-empty string", ("Name",), "Name")
    desc = value.get("Description")
    if desc is not None and not isinstance(desc, str):
        raise ctx.fail("policy Description must be a string", ("Description",), "Description")
    if "Version" not in value:
        raise ctx.fail(f"policy Version is required (the policy-language version {VERSION!r})", (), "Version")
    if value["Version"] != VERSION:
        raise ctx.fail(
            f"policy Version must be {VERSION!r} (the data-protection policy language), "
            f"not {value['Version']!r}",
            ("Version",),
            "Version",
        )
    custom = _custom_identifiers(value, ctx)
    if "Statement" not in value:
        raise ctx.fail("policy Statement is required", (), "Statement")
    stmts = value["Statement"]
    if not isinstance(stmts, list):
        raise ctx.fail("policy Statement must be an array of statements", ("Statement",), "Statement")
    if not stmts:
        raise ctx.fail("policy Statement must contain at least one statement", ("Statement",), "Statement")
    statements = [_statement(st, i, custom, ctx, lang) for i, st in enumerate(stmts)]
    audits = [s for s in statements if s.operation == "audit"]
    if len(audits) > 1:
        raise ctx.fail(
            "a policy may contain at most one Audit statement", ("Statement", audits[1].index), "Audit.count"
        )
    lang.check_blocks(statements, ctx)
    model = PolicyModel(dialect, name, desc, statements, custom)
    _lint(model, ctx)
    return model


def _custom_identifiers(value: dict[str, Any], ctx: PolicyContext) -> dict[str, str]:
    conf = value.get("Configuration")
    if conf is None:
        return {}
    if not isinstance(conf, dict):
        raise ctx.fail("Configuration must be an object", ("Configuration",), "Configuration")
    for key in conf:
        if key != "CustomDataIdentifier":
            raise ctx.fail(
                f"unknown Configuration key {key!r}", ("Configuration", key), "Configuration", key=True
            )
    items = conf.get("CustomDataIdentifier", [])
    base = ("Configuration", "CustomDataIdentifier")
    if not isinstance(items, list):
        raise ctx.fail("CustomDataIdentifier must be an array", base, "CustomDataIdentifier")
    if len(items) > MAX_CUSTOM_IDENTIFIERS:
        raise ctx.fail(
            f"{len(items)} custom data identifiers; at most {MAX_CUSTOM_IDENTIFIERS} are allowed per policy",
            (*base, MAX_CUSTOM_IDENTIFIERS),
            "CustomDataIdentifier.count",
        )
    managed = base_names()
    out: dict[str, str] = {}
    for i, item in enumerate(items):
        path = (*base, i)
        if not isinstance(item, dict):
            raise ctx.fail(
                "a custom data identifier is an object with Name and Regex", path, "CustomDataIdentifier"
            )
        for key in item:
            if key not in ("Name", "Regex"):
                raise ctx.fail(
                    f"unknown custom data identifier key {key!r}",
                    (*path, key),
                    "CustomDataIdentifier",
                    key=True,
                )
        for key in ("Name", "Regex"):
            if key not in item:
                raise ctx.fail(
                    f"custom data identifier {key} is required", path, f"CustomDataIdentifier.{key}"
                )
        try:
            cname = check_custom_name(item["Name"], managed)
        except PolicyError as exc:
            raise ctx.locate(exc, (*path, "Name")) from None
        if cname in out:
            raise ctx.fail(
                f"custom data identifier Name {cname!r} is defined twice",
                (*path, "Name"),
                "CustomDataIdentifier.Name",
            )
        try:
            out[cname] = check_custom_regex(item["Regex"])
        except PolicyError as exc:
            raise ctx.locate(exc, (*path, "Regex")) from None
    return out


def _identifier(ref: Any, path: Path, custom: dict[str, str], ctx: PolicyContext) -> str:
    """A statement's DataIdentifier entry -> the finding name (managed short name or custom name)."""
    rule = "DataIdentifier"
    if not isinstance(ref, str):
        raise ctx.fail("a DataIdentifier entry must be a string", path, rule)
    if not ref.startswith("arn:"):
        if ref in custom:
            return ref
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
    st: Any, i: int, custom: dict[str, str], ctx: PolicyContext, dialect: PolicyDialect
) -> StatementModel:
    path: Path = ("Statement", i)
    if not isinstance(st, dict):
        raise ctx.fail("a statement is a JSON object", path, "Statement")
    for key in st:
        if key not in dialect.statement_keys:
            raise ctx.fail(
                f"unknown statement key {key!r}{dialect.statement_key_hint}",
                (*path, key),
                "Statement",
                key=True,
            )
    sid = st.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise ctx.fail("Sid must be a string", (*path, "Sid"), "Sid")
    direction, principals = dialect.direction_and_principals(st, path, ctx)
    if "DataIdentifier" not in st:
        raise ctx.fail("statement DataIdentifier is required", path, "DataIdentifier")
    refs = st["DataIdentifier"]
    if not isinstance(refs, list) or not refs:
        raise ctx.fail(
            "DataIdentifier must be a non-empty array", (*path, "DataIdentifier"), "DataIdentifier"
        )
    idents = tuple(_identifier(r, (*path, "DataIdentifier", j), custom, ctx) for j, r in enumerate(refs))
    op, extra = _operation(st, path, ctx, dialect)
    return StatementModel(i, sid, direction, principals, idents, op, **extra)


def _operation(
    st: dict[str, Any], path: Path, ctx: PolicyContext, dialect: PolicyDialect
) -> tuple[str, dict[str, Any]]:
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
    kind = next(iter(op))
    body = op[kind]
    bpath = (*opath, kind)
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
                        "DP001",
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
                    "DP002",
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
                    "DP003",
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
