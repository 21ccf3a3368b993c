"""Data-protection policies: ``compile_policy`` -> ``Policy`` with ``apply`` and ``scan``.

>>> pol = compile_policy(text, dialect="sns")
>>> out = pol.apply(message, direction="Outbound", principal="arn:aws:iam::123456789012:role/X")
>>> out.message, out.denied, out.error, out.findings, out.audit
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tamis.compiler.data_protection.policy import DIALECTS, PolicyModel, build_runtime, compile_model
from tamis.errors import Diagnostic
from tamis.runtime.json_values import without_surrogates
from tamis.runtime.redact import native
from tamis.runtime.redact.detector import Finding
from tamis.runtime.redact.redactor import INBOUND, OUTBOUND, Outcome, Redactor, ServiceError

__all__ = ["Finding", "Outcome", "Policy", "PolicySource", "ServiceError", "compile_policy"]

PolicyInput = str | bytes | Mapping[str, Any]


class PolicySource(NamedTuple):
    """What ``compile_policy`` compiled: plain data that pickles, so another process (a pool worker, a Spark
    executor) compiles the same policy from it."""

    policy: PolicyInput
    dialect: str
    account_policy: PolicyInput | None = None
    resource_arn: str | None = None

    def compile(self) -> Policy:
        return compile_policy(
            self.policy, self.dialect, account_policy=self.account_policy, resource_arn=self.resource_arn
        )


class Policy:
    """A compiled data-protection policy (or several CloudWatch Logs policies combined)."""

    def __init__(self, models: Sequence[PolicyModel], *, resource_arn: str | None = None) -> None:
        # What compile_policy compiled this from; None for a Policy built from models directly.
        self.source: PolicySource | None = None
        self.models = list(models)
        self.dialect = self.models[0].dialect
        self.name = self.models[0].name
        scanner, rules = build_runtime(self.models)
        self._redactor = Redactor(scanner, rules, resource_arn=resource_arn)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its checked models and options; the scanner is compiled again once on load."""
        return (_policy_from, (self.models, self._redactor.resource_arn))

    @property
    def identifiers(self) -> list[str]:
        """Every identifier the policy names (managed short names and custom names)."""
        seen: dict[str, None] = {}
        for m in self.models:
            for ident in m.identifiers:
                seen.setdefault(ident, None)
        return list(seen)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Warnings found while compiling (identifiers not detected locally, unused definitions)."""
        return [d for m in self.models for d in m.diagnostics]

    def scan(self, text: str | bytes) -> list[Finding]:
        """Every finding of every identifier the policy names, regardless of statements."""
        return self._redactor.scanner.scan(_text(text))

    def apply(
        self,
        message: str | bytes,
        *,
        direction: str | None = None,
        principal: str | None = None,
        rng: random.Random | None = None,
        message_id: str | None = None,
    ) -> Outcome:
        """What the service would do with ``message`` for this direction and principal.

        SNS needs ``direction`` ("Inbound": the publisher is ``principal``; "Outbound": the
        subscriber is). CloudWatch Logs takes neither. ``rng`` drives Audit's SampleRate.
        """
        if self.dialect == "sns":
            if direction not in (INBOUND, OUTBOUND):
                raise ValueError(
                    f"direction must be 'Inbound' or 'Outbound' for SNS policies, not {direction!r}"
                )
        elif direction is not None or principal is not None:
            raise ValueError("CloudWatch Logs policies take no direction or principal")
        return self._redactor.apply(
            _text(message), direction=direction, principal=principal, rng=rng, message_id=message_id
        )

    def __repr__(self) -> str:
        return f"<Policy {self.name!r} dialect={self.dialect} identifiers={len(self.identifiers)}>"


def _text(message: str | bytes) -> str:
    """The message as the services see it: UTF-8 bytes decoded (an invalid byte becomes U+FFFD), and a
    ``str``'s lone surrogates, which UTF-8 cannot carry, written as ``?`` as the services' encoders do."""
    if isinstance(message, bytes | bytearray):
        return bytes(message).decode("utf-8", "replace")
    if not isinstance(message, str):
        raise TypeError("message must be str or bytes")
    if not message.isascii() and native.lone_surrogate(message) is not None:
        return without_surrogates(message)
    return message


def _policy_from(models: list[PolicyModel], resource_arn: str | None) -> Policy:
    return Policy(models, resource_arn=resource_arn)


def compile_policy(
    policy: PolicyInput,
    dialect: str = "sns",
    *,
    source: str | None = None,
    account_policy: PolicyInput | None = None,
    resource_arn: str | None = None,
) -> Policy:
    """Check and compile a data-protection policy. Raises ``tamis.PolicyError`` (located) when invalid.

    ``dialect`` is ``"sns"`` or ``"cloudwatch-logs"``. For CloudWatch Logs, ``account_policy`` adds
    the account-level policy: the two combine (an identifier named in either is audited and masked).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    models = [compile_model(policy, dialect=dialect, source=source)]
    if account_policy is not None:
        if dialect != "cloudwatch-logs":
            raise ValueError("account_policy combines CloudWatch Logs policies only")
        models.append(compile_model(account_policy, dialect=dialect, source="account-policy"))
    policy_object = Policy(models, resource_arn=resource_arn)
    policy_object.source = PolicySource(policy, dialect, account_policy, resource_arn)
    return policy_object
