"""The 101 managed data identifiers as the documentation lists them: category, countries, keywords.

The facts live in ``identifiers.json`` beside this module (package data): each identifier's category,
countries, whether a keyword is required, whether its ARN is listed, its keywords, and the issuer test
numbers CreditCardNumber never reports. They transcribe the SNS and CloudWatch Logs managed-data-identifier
pages (each entry's ``source_url``) as the shared catalogue records them; a test holds the two equal. How
tamis detects each identifier is ``patterns.py``'s.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import NamedTuple

ARN_PREFIX = "arn:aws:dataprotection::aws:data-identifier/"


class ManagedIdentifier(NamedTuple):
    """One catalogue entry (a tuple, in the order of the fields: older callers index it)."""

    category: str
    countries: tuple[str, ...]
    requires_keyword: bool
    arn_listed: bool  # the ARN appears in the documentation's ARN list
    keywords: tuple[str, ...]
    excluded: frozenset[str] = frozenset()  # values never reported (CreditCardNumber's issuer test numbers)


def _load() -> dict[str, ManagedIdentifier]:
    text = resources.files(__package__).joinpath("identifiers.json").read_text(encoding="utf-8")
    return {
        entry["name"]: ManagedIdentifier(
            entry["category"],
            tuple(entry["countries"]),
            entry["requires_keyword"],
            entry["arn_listed_in_docs"],
            tuple(entry["keywords"]),
            frozenset(entry.get("excluded_test_numbers", ())),
        )
        for entry in json.loads(text)["identifiers"]
    }


# name -> its entry, in the catalogue's order
MANAGED_TABLE: dict[str, ManagedIdentifier] = _load()

EXCLUDED_TEST_NUMBERS: frozenset[str] = MANAGED_TABLE["CreditCardNumber"].excluded


def base_names() -> frozenset[str]:
    """Managed base names (``Ssn``) and full names (``Ssn-US``): custom names may not reuse them."""
    return frozenset(MANAGED_TABLE) | frozenset(n.partition("-")[0] for n in MANAGED_TABLE)


def countries_of(base: str) -> frozenset[str]:
    """The country suffixes a base identifier accepts ("" when it takes none)."""
    out = set()
    for name in MANAGED_TABLE:
        b, _, cc = name.partition("-")
        if b == base:
            out.add(cc)
    return frozenset(out)
