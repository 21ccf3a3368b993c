"""The packaged catalogue of managed identifiers (compiler/data_protection/managed/identifiers.json)
against the shared one it transcribes (../shared/data_protection/managed_identifiers.json)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from support.shared import shared_path

from tamis.compiler.data_protection.managed import catalogue
from tamis.compiler.data_protection.managed.catalogue import MANAGED_TABLE
from tamis.compiler.data_protection.managed.patterns import NOT_DETECTED_LOCALLY, patterns_of
from tamis.runtime.redact.checks import CHECKS


def _packaged() -> list[dict[str, Any]]:
    text = resources.files(catalogue.__package__).joinpath("identifiers.json").read_text(encoding="utf-8")
    return json.loads(text)["identifiers"]


def test_the_packaged_catalogue_agrees_with_the_shared_one() -> None:
    shared = json.loads(
        shared_path("data_protection", "managed_identifiers.json").read_text(encoding="utf-8")
    )
    theirs = shared["identifiers"]
    mine = _packaged()
    assert [e["name"] for e in mine] == [e["name"] for e in theirs]
    assert len(mine) == shared["count"] == 101
    for entry, source in zip(mine, theirs, strict=True):
        # every fact kept is the shared one, word for word (keywords in their order)
        assert entry == {k: source[k] for k in entry}, entry["name"]
        assert ("excluded_test_numbers" in entry) == ("excluded_test_numbers" in source), entry["name"]


def test_the_table_is_the_packaged_catalogue() -> None:
    mine = _packaged()
    assert list(MANAGED_TABLE) == [e["name"] for e in mine]
    for e in mine:
        row = MANAGED_TABLE[e["name"]]
        assert row == (
            e["category"],
            tuple(e["countries"]),
            e["requires_keyword"],
            e["arn_listed_in_docs"],
            tuple(e["keywords"]),
            frozenset(e.get("excluded_test_numbers", ())),
        )
    assert len(catalogue.EXCLUDED_TEST_NUMBERS) == 55


def test_every_identifier_tamis_detects_has_patterns_with_known_checks() -> None:
    for name in MANAGED_TABLE:
        patterns = patterns_of(name)
        assert bool(patterns) == (name not in NOT_DETECTED_LOCALLY), name
        assert all(check is None or check in CHECKS for _, _, check in patterns), name
