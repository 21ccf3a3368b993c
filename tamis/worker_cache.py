"""Compiled rule sets and policies kept per process, keyed by a hash of their source.

A pool worker or a Spark executor receives a ``RuleSetSource`` or ``PolicySource`` (plain data that pickles)
with every batch of records; it compiles that source the first time it meets it and reuses the compiled object
for every later batch, so a rule set is compiled once per worker process, never per record or per batch.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tamis.patterns import RuleSet, RuleSetSource
    from tamis.policies import Policy, PolicySource

# A handful of entries: a worker meets one or two sources in a job. Bounded so that a long-lived worker
# (Spark reuses its Python workers across jobs) does not keep every rule set it ever compiled.
_LIMIT = 8
_compiled: dict[str, RuleSet | Policy] = {}


class Keyed(NamedTuple):
    """A source with the hash that names it, computed once where the job starts."""

    key: str
    source: RuleSetSource | PolicySource


def keyed(source: RuleSetSource | PolicySource) -> Keyed:
    digest = hashlib.sha256(type(source).__name__.encode() + pickle.dumps(tuple(source), protocol=4))
    return Keyed(digest.hexdigest(), source)


def compiled(item: Keyed) -> RuleSet | Policy:
    """The compiled object for ``item``, compiled here on first use."""
    found = _compiled.get(item.key)
    if found is None:
        found = item.source.compile()
        if len(_compiled) >= _LIMIT:
            _compiled.pop(next(iter(_compiled)))
        _compiled[item.key] = found
    return found


def remember(item: Keyed, compiled_object: RuleSet | Policy) -> None:
    """Store an object compiled here already (before forking workers, which then inherit it)."""
    _compiled[item.key] = compiled_object


def compiled_count() -> int:
    """How many objects this process compiled or was given (the tests check one compile per worker)."""
    return len(_compiled)
