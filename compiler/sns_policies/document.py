"""Reading one SNS attribute policy (``ArchivePolicy``, ``ReplayPolicy``): JSON text, bytes or a ready
mapping, with every mistake located by line and column through the located JSON reader."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tamis.errors import SnsPolicyError
from tamis.grammar.located_json import LocatedJSON, parse_json, policy_text, refuse_repeated_keys

Path = tuple[str | int, ...]
# An attribute value's size: SNS does not document one for these two policies; the 256 KiB of a topic
# attribute's value (SetTopicAttributes) bounds what is worth reading.
MAX_POLICY_CHARS = 256 * 1024


class PolicyDocument:
    """A policy's value and where each part was written; the mistakes met so far, in the order found."""

    def __init__(self, value: Any, doc: LocatedJSON | None, source: str | None, name: str) -> None:
        self.value, self.doc, self.source, self.name = value, doc, source, name
        self.errors: list[SnsPolicyError] = []

    def fail(self, message: str, path: Path, rule: str, *, key: bool = False) -> None:
        """Record a mistake at ``path`` (its key when ``key``) and go on with the next part."""
        pointer = "/" + "/".join(str(p) for p in path)
        line, column = self.doc.position(path, key=key) if self.doc is not None else (None, None)
        self.errors.append(
            SnsPolicyError(message, line=line, column=column, source=self.source, rule=rule, pointer=pointer)
        )

    def object_with(
        self, keys: tuple[str, ...], required: tuple[str, ...], example: str, rule: str
    ) -> dict[str, Any]:
        """The policy as an object, every key of it one of ``keys`` and each of ``required`` present;
        what breaks that is recorded under ``rule`` (a value that is no object is raised at once: nothing
        else can be read from it). ``example`` is a correct policy, shown in the messages."""
        value = self.value
        if not isinstance(value, dict):
            self.fail(f"{_article(self.name)} {self.name} is a JSON object, such as {example}", (), rule)
            self.raise_found()
        known = ", ".join(keys[:-1]) + (" and " if len(keys) > 1 else "") + keys[-1]
        for key in value:
            if key not in keys:
                self.fail(
                    f"unknown {self.name} key {key!r}: the documented "
                    + (f"keys are {known}" if len(keys) > 1 else f"key is {known}"),
                    (key,),
                    rule,
                    key=True,
                )
        for key in required:
            if key not in value:
                self.fail(f"{_article(self.name)} {self.name} needs {key}", (), rule)
        return value

    def raise_found(self) -> None:
        """Raise the first mistake found, with the others in its ``more``."""
        if self.errors:
            first = self.errors[0]
            first.more = tuple(self.errors[1:])
            raise first


def load(policy: str | bytes | Mapping[str, Any], *, name: str, source: str | None) -> PolicyDocument:
    """Parse ``policy`` (``name`` says which attribute it is, for messages)."""
    if isinstance(policy, Mapping):
        return PolicyDocument(dict(policy), None, source, name)
    text = policy_text(policy, name=name, error=SnsPolicyError, max_chars=MAX_POLICY_CHARS, source=source)
    doc = parse_json(text, source=source, error=SnsPolicyError)
    refuse_repeated_keys(doc, SnsPolicyError)
    return PolicyDocument(doc.value, doc, source, name)


def _article(name: str) -> str:
    return "an" if name[:1] in "AEIOU" else "a"


def spelled(value: Any) -> str:
    """A value as the policy wrote it, for messages."""
    return json.dumps(value, default=str)
