"""The anything-but tables of one field against their definition: a value meets every id but those that
exclude it, whatever heavy values the tables keep, under any sequence of adds and removes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tamis.runtime.events.exclusions import HEAVY_FROM, Exclusions

VALUES = ["a", "b", "c", 0.0, 1.5]
# (add, id, values) or (remove, id): ids are drawn from a small range so that removes and re-adds meet
OPS = st.lists(
    st.tuples(st.booleans(), st.integers(0, 3 * HEAVY_FROM), st.sets(st.sampled_from(VALUES), max_size=3)),
    max_size=6 * HEAVY_FROM,
)


@given(ops=OPS, bias=st.sampled_from(VALUES))
@settings(deadline=None, max_examples=60)
def test_kept_ids_are_every_id_but_the_excluding_ones(
    ops: list[tuple[bool, int, set[object]]], bias: object
) -> None:
    table = Exclusions()
    live: dict[int, set[object]] = {}
    for adding, ident, values in ops:
        if adding and ident not in live:
            values = values | {bias}  # one value most ids exclude: it turns heavy and back
            table.add(ident, values)
            live[ident] = values
        elif not adding and ident in live:
            table.remove(ident)
            del live[ident]
        assert table.every == set(live)
        for value in [*VALUES, "absent", None]:
            want = {i for i, excluded in live.items() if value not in excluded}
            assert set(table.kept(value)) == want, value
        for value in table.heavy:
            # heavy only while at least half the ids exclude it
            assert 2 * sum(value in excluded for excluded in live.values()) >= len(live)


def test_a_value_most_ids_exclude_is_heavy() -> None:
    table = Exclusions()
    for i in range(2 * HEAVY_FROM):
        table.add(i, ["blocked", f"own{i}"] if i % 10 else [f"own{i}"])
    assert table.heavy == {"blocked"}
    assert table.kept("blocked") == set(range(0, 2 * HEAVY_FROM, 10))
    for i in range(2 * HEAVY_FROM, 6 * HEAVY_FROM):
        table.add(i, [f"own{i}"])  # fewer than half exclude it now
    assert table.heavy == frozenset()
    assert table.kept("blocked") == set(range(0, 2 * HEAVY_FROM, 10)) | set(
        range(2 * HEAVY_FROM, 6 * HEAVY_FROM)
    )
