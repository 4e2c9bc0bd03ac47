"""Small-cell suppression: 1–4 shown as "<5", and a complementary cell hidden where a total would reveal the first."""

from __future__ import annotations

from kooperacja.monitoring.indicators import SUPPRESSED, present, suppress_cells, suppress_share, suppress_value


def test_single_values() -> None:
    assert [suppress_value(v) for v in (None, 0, 1, 4, 5, 140)] == [None, 0, SUPPRESSED, SUPPRESSED, 5, 140]


def test_nothing_small_nothing_hidden() -> None:
    assert suppress_cells({"a": 7, "b": 12, "c": 0}) == ({"a": 7, "b": 12, "c": 0}, 19)


def test_one_small_cell_hides_the_smallest_other_cell() -> None:
    # Total 30 minus 12 and 15 would give 3 away: the smallest cell above zero (12) is hidden too.
    assert suppress_cells({"a": 3, "b": 15, "c": 12, "d": 0}) == (
        {"a": SUPPRESSED, "b": 15, "c": SUPPRESSED, "d": 0},
        30,
    )


def test_complementary_cell_on_ties_is_the_first() -> None:
    cells, total = suppress_cells({"x": 9, "y": 2, "z": 9})
    assert cells == {"x": SUPPRESSED, "y": SUPPRESSED, "z": 9}
    assert total == 20


def test_two_small_cells_need_no_complement() -> None:
    assert suppress_cells({"a": 2, "b": 3, "c": 40}) == ({"a": SUPPRESSED, "b": SUPPRESSED, "c": 40}, 45)


def test_only_cell_above_zero_hides_the_total() -> None:
    # 3 in one cell and zeros elsewhere: the total (3) is small and hidden as well.
    assert suppress_cells({"a": 3, "b": 0}) == ({"a": SUPPRESSED, "b": 0}, SUPPRESSED)


def test_small_cell_equal_to_large_total_when_others_are_zero_hides_the_total() -> None:
    # A cell of 4 with zeros is revealed by any total: nothing else to hide, so the total goes.
    cells, total = suppress_cells({"a": 4, "b": 0, "c": 0})
    assert cells["a"] == SUPPRESSED and total == SUPPRESSED


def test_without_total_only_primary_suppression() -> None:
    assert suppress_cells({"a": 3, "b": 15}, with_total=False) == ({"a": SUPPRESSED, "b": 15}, None)


def test_shares_hidden_when_a_count_or_their_difference_is_small() -> None:
    assert suppress_share(140, 172) == 140 / 172
    assert suppress_share(3, 172) == SUPPRESSED
    assert suppress_share(170, 172) == SUPPRESSED  # 2 failures would be revealed
    assert suppress_share(4, 4) == SUPPRESSED
    assert suppress_share(None, 10) is None


def test_present_hides_person_counts_but_not_institution_counts() -> None:
    shown = {
        item.key: item
        for item in present(
            {"persons_supported": 3, "member_institutions": 3, "plans_closed": 172, "plans_successful": 140}
        )
    }
    assert shown["persons_supported"].value == SUPPRESSED
    assert shown["member_institutions"].value == 3
    assert shown["plans_success_share"].value == 140 / 172


def test_present_person_breakdowns_get_the_complementary_cell() -> None:
    shown = {item.key: item for item in present({"referrals_by_sector": {"education": 3, "health": 20, "police": 8}})}
    assert dict(shown["referrals_by_sector"].breakdown) == {"education": SUPPRESSED, "health": 20, "police": SUPPRESSED}
    assert shown["referrals_by_sector"].breakdown_total == 31
