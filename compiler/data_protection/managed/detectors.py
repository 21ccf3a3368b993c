"""The runtime ``Detector`` records of a managed identifier: catalogue facts, patterns and search hints."""

from __future__ import annotations

from functools import cache

from tamis.compiler.data_protection.managed.catalogue import MANAGED_TABLE
from tamis.compiler.data_protection.managed.patterns import patterns_of
from tamis.compiler.data_protection.search_hints import max_utf8_width, max_width, search_hints
from tamis.runtime.redact.checks import CHECKS
from tamis.runtime.redact.detector import Detector


@cache
def detectors_for(name: str) -> tuple[Detector, ...]:
    """The detectors of one managed identifier (empty for Name and Address)."""
    entry = MANAGED_TABLE[name]
    base = name.partition("-")[0]
    # PhoneNumber's keywords are conditional: they relax the country-code requirement (see the catalogue).
    mode = "relaxes" if base == "PhoneNumber" else ("required" if entry.requires_keyword else "none")
    out = []
    for pattern, group, check in patterns_of(name):
        out.append(
            Detector(
                name=name,
                pattern=pattern,
                group=group,
                check=CHECKS[check] if check else None,
                keywords=entry.keywords,
                keyword_mode=mode,
                strict_check=CHECKS["country_code"] if mode == "relaxes" else None,
                exclude=entry.excluded,
                max_len=max_width(pattern),
                max_bytes=max_utf8_width(pattern),
                hints=search_hints(pattern, group),
            )
        )
    return tuple(out)
