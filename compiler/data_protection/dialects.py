"""The services' dialects of the data-protection policy language: every difference between them, in one place.

SNS message data protection is the core (``PolicyDialect``); CloudWatch Logs narrows it
(``CloudWatchLogsDialect``): statements without direction or principal, Audit and Deidentify only (no Deny),
Audit without SampleRate and with a FindingsDestination, Deidentify as ``"MaskConfig": {}`` only (no
redaction, no mask character), any audit log group name, and the two-block shape (one Audit and one
Deidentify statement over the same identifiers). ``policy.py`` runs the shared compile steps and asks the
dialect at each of these points:

- ``statement_keys`` / ``statement_key_hint`` and ``direction_and_principals``: a statement's keys
  (``direction_and_principals`` records its mistakes with ``ctx.record`` and goes on; the other hooks
  raise the first mistake of their part);
- ``operations`` / ``unknown_operation``, ``deny`` and ``deidentify``: its Operation;
- ``audit_keys``, ``sample_rate``, ``require_destination`` and ``audit_log_group``: an Audit object;
- ``check_blocks``: the statements as a whole.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import re2

from tamis.errors import PolicyError

if TYPE_CHECKING:
    from tamis.compiler.data_protection.policy import Path, PolicyContext, StatementModel

# Mask characters: AWS points to a table it does not reproduce; tamis accepts one printable ASCII
# character other than '"' and '\' (which could not stand inside a JSON string unescaped).
MASK_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F)) - {'"', "\\"}
_PRINCIPAL = re2.compile(r"arn:aws[a-z-]*:iam::\d{12}:(?:root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)")
_ACCOUNT = re2.compile(r"\d{12}")


class PolicyDialect:
    """SNS message data protection (the sns-message-data-protection-* pages of the SNS developer guide)."""

    name = "sns"
    #: Keys a statement may hold.
    statement_keys: tuple[str, ...] = ("Sid", "DataDirection", "Principal", "DataIdentifier", "Operation")
    #: Appended to the error for any other statement key.
    statement_key_hint = ""
    #: The operations a statement may set (exactly one of them).
    operations: tuple[str, ...] = ("Audit", "Deidentify", "Deny")
    #: Keys an Audit object may hold.
    audit_keys: tuple[str, ...] = ("SampleRate", "FindingsDestination", "NoFindingsDestination")

    def direction_and_principals(
        self, st: dict[str, Any], path: Path, ctx: PolicyContext
    ) -> tuple[str | None, tuple[str, ...] | None]:
        """The statement's DataDirection and Principal (both required). Each is an independent part:
        its mistakes are recorded (``ctx.record``, each Principal entry on its own), and a part that
        failed is None."""
        direction = st.get("DataDirection")
        if "DataDirection" not in st:
            ctx.record(
                ctx.fail("statement DataDirection is required (Inbound or Outbound)", path, "DataDirection")
            )
        elif direction not in ("Inbound", "Outbound"):
            ctx.record(
                ctx.fail(
                    f"DataDirection must be 'Inbound' or 'Outbound' (case-sensitive), not {direction!r}",
                    (*path, "DataDirection"),
                    "DataDirection",
                )
            )
            direction = None
        if "Principal" not in st:
            if "DataDirection" in st:
                ctx.record(ctx.fail("statement Principal is required", path, "Principal"))
            # else: a statement with neither is in the CloudWatch Logs shape, one mistake (the dialect's)
            return direction, None
        prin = st["Principal"]
        if not isinstance(prin, list) or not prin:
            ctx.record(
                ctx.fail(
                    'Principal must be a non-empty array ("*" or IAM ARNs)', (*path, "Principal"), "Principal"
                )
            )
            return direction, None
        ok = True
        for j, p in enumerate(prin):
            if not isinstance(p, str) or not _principal_ok(p):
                ctx.record(
                    ctx.fail(
                        f"Principal {p!r} is not '*', an account ID, or an IAM account root, role or user "
                        "ARN",
                        (*path, "Principal", j),
                        "Principal",
                    )
                )
                ok = False
        return direction, tuple(prin) if ok else None

    def unknown_operation(self, key: str, path: Path, ctx: PolicyContext) -> PolicyError:
        """The error for an Operation key outside ``operations`` (``path`` ends at the key)."""
        return ctx.fail(
            f"unknown operation {key!r}; expected exactly one of {', '.join(self.operations)}",
            path,
            "Operation",
            key=True,
        )

    def deny(self, body: Any, path: Path, ctx: PolicyContext) -> dict[str, Any]:
        """A Deny operation's body (an empty object); returns the statement's extra fields."""
        _empty_object(body, path, "Deny", "Deny", ctx)
        return {}

    def deidentify(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> tuple[str, dict[str, Any]]:
        """A Deidentify object whose keys are MaskConfig or RedactConfig -> (operation, extra fields)."""
        if len(body) != 1:
            raise ctx.fail(
                "Deidentify takes exactly one of MaskConfig or RedactConfig"
                + ("; found both" if body else ""),
                path,
                "Deidentify",
            )
        if "RedactConfig" in body:
            _empty_object(body["RedactConfig"], (*path, "RedactConfig"), "RedactConfig", "RedactConfig", ctx)
            return "redact", {}
        mc = body["MaskConfig"]
        mpath = (*path, "MaskConfig")
        if not isinstance(mc, dict):
            raise ctx.fail("MaskConfig must be an object", mpath, "MaskConfig")
        for key in mc:
            if key != "MaskWithCharacter":
                raise ctx.fail(f"unknown MaskConfig key {key!r}", (*mpath, key), "MaskConfig", key=True)
        ch = mc.get("MaskWithCharacter", "*")
        if not isinstance(ch, str) or len(ch) != 1:
            raise ctx.fail(
                f"MaskWithCharacter must be exactly one character, not {ch!r}",
                (*mpath, "MaskWithCharacter"),
                "MaskWithCharacter",
            )
        if ch not in MASK_CHARACTERS:
            raise ctx.fail(
                f"MaskWithCharacter {ch!r} is not supported; tamis accepts one printable ASCII character "
                "other than '\"' and '\\' (the service's own table is not published in text form)",
                (*mpath, "MaskWithCharacter"),
                "MaskWithCharacter",
            )
        return "mask", {"mask_char": ch}

    def sample_rate(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> int:
        """The Audit's SampleRate, in percent of messages audited."""
        # The documented Audit object always carries SampleRate (only the destinations are optional).
        if "SampleRate" not in body:
            raise ctx.fail("Audit SampleRate is required (an integer from 0 to 99)", path, "SampleRate")
        return _sample_rate(body["SampleRate"], (*path, "SampleRate"), ctx)

    def require_destination(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> None:
        """The destinations an Audit must name."""
        if "FindingsDestination" not in body and "NoFindingsDestination" not in body:
            raise ctx.fail(
                "Audit needs a FindingsDestination or a NoFindingsDestination", path, "Audit.destination"
            )

    def audit_log_group(self, name: str, path: Path, ctx: PolicyContext) -> None:
        """The name of an audit destination's CloudWatch Logs log group."""
        if not name.startswith("/aws/vendedlogs/"):
            raise ctx.fail(
                f"SNS audit log group {name!r} must be named /aws/vendedlogs/...", path, "LogGroup"
            )

    def check_blocks(self, statements: list[StatementModel], ctx: PolicyContext) -> None:
        """How the statements combine, beyond at most one Audit (SNS: freely)."""


class CloudWatchLogsDialect(PolicyDialect):
    """CloudWatch Logs data protection (its PutDataProtectionPolicy and data-protection pages)."""

    name = "cloudwatch-logs"
    statement_keys = ("Sid", "DataIdentifier", "Operation")
    statement_key_hint = " (CloudWatch Logs statements have no direction or principal)"
    operations = ("Audit", "Deidentify")
    audit_keys = ("FindingsDestination",)

    def direction_and_principals(
        self, st: dict[str, Any], path: Path, ctx: PolicyContext
    ) -> tuple[str | None, tuple[str, ...] | None]:
        return None, ("*",)

    def unknown_operation(self, key: str, path: Path, ctx: PolicyContext) -> PolicyError:
        if key == "Deny":
            return ctx.fail(
                "CloudWatch Logs supports Audit and Deidentify only, not Deny", path, "cwl.Deny", key=True
            )
        return super().unknown_operation(key, path, ctx)

    def deidentify(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> tuple[str, dict[str, Any]]:
        if "RedactConfig" in body:
            raise ctx.fail(
                'CloudWatch Logs Deidentify takes "MaskConfig": {} only (RedactConfig is SNS-only)',
                (*path, "RedactConfig"),
                "cwl.MaskConfig",
                key=True,
            )
        if "MaskConfig" not in body:
            raise ctx.fail('CloudWatch Logs Deidentify must contain "MaskConfig": {}', path, "cwl.MaskConfig")
        mc = body["MaskConfig"]
        if not isinstance(mc, dict) or mc:
            raise ctx.fail(
                "CloudWatch Logs MaskConfig must be an empty object (MaskWithCharacter is SNS-only; "
                "CloudWatch Logs masks with '*')",
                (*path, "MaskConfig"),
                "cwl.MaskConfig",
            )
        return "mask", {"mask_char": "*"}

    def sample_rate(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> int:
        return 100  # CloudWatch Logs audits every log event

    def require_destination(self, body: dict[str, Any], path: Path, ctx: PolicyContext) -> None:
        if "FindingsDestination" not in body:
            raise ctx.fail(
                "CloudWatch Logs Audit must contain FindingsDestination (it may be an empty object)",
                path,
                "Audit.destination",
            )

    def audit_log_group(self, name: str, path: Path, ctx: PolicyContext) -> None:
        pass  # any log group

    def check_blocks(self, statements: list[StatementModel], ctx: PolicyContext) -> None:
        """Exactly one Audit and one Deidentify statement, over the same DataIdentifier array."""
        audits = [s for s in statements if s.operation == "audit"]
        masks = [s for s in statements if s.operation == "mask"]
        if not audits:
            raise ctx.fail(
                "a CloudWatch Logs policy needs an Audit statement and a Deidentify statement",
                ("Statement",),
                "cwl.blocks",
            )
        if not masks:
            raise ctx.fail(
                "a CloudWatch Logs policy needs an Audit statement and a Deidentify statement",
                ("Statement",),
                "cwl.blocks",
            )
        if len(masks) > 1 or len(statements) != 2:
            raise ctx.fail(
                "a CloudWatch Logs policy has exactly two statements: one Audit and one Deidentify",
                ("Statement", 2 if len(statements) > 2 else masks[1].index),
                "cwl.blocks",
            )
        a, m = audits[0], masks[0]
        if list(a.identifiers) != list(m.identifiers):
            raise ctx.fail(
                "CloudWatch Logs: the Audit and Deidentify statements must list exactly the same "
                "DataIdentifier array",
                ("Statement", m.index, "DataIdentifier"),
                "cwl.identifiers",
            )


_DIALECTS = {d.name: d for d in (PolicyDialect(), CloudWatchLogsDialect())}
DIALECTS = tuple(_DIALECTS)


def dialect_for(name: Any) -> PolicyDialect:
    """The dialect by name (``DIALECTS``)."""
    if name not in DIALECTS:
        raise PolicyError(f"unknown dialect {name!r}; expected one of {', '.join(DIALECTS)}", rule="dialect")
    return _DIALECTS[name]


def _principal_ok(p: str) -> bool:
    return p == "*" or _PRINCIPAL.fullmatch(p) is not None or _ACCOUNT.fullmatch(p) is not None


def _empty_object(v: Any, path: Path, what: str, rule: str, ctx: PolicyContext) -> None:
    if not isinstance(v, dict):
        raise ctx.fail(f"{what} must be an object", path, rule)
    if v:
        key = next(iter(v))
        raise ctx.fail(f"{what} must be an empty object; unexpected {key!r}", (*path, key), rule, key=True)


def _sample_rate(v: Any, path: Path, ctx: PolicyContext) -> int:
    rule = "SampleRate"
    n: int | None = None
    if isinstance(v, bool):
        n = None
    elif isinstance(v, int):
        n = v
    elif isinstance(v, str):  # the documented examples write it as a string: "99"
        n = int(v) if v.lstrip("-").isdigit() and v.isascii() else None
    elif isinstance(v, Decimal | float):
        n = int(v) if math.isfinite(v) and v == int(v) else None
    if n is None:
        raise ctx.fail(f"SampleRate must be an integer from 0 to 99, not {v!r}", path, rule)
    if not 0 <= n <= 99:
        raise ctx.fail(f"SampleRate must be from 0 to 99 (percent of messages audited), not {n}", path, rule)
    return n
