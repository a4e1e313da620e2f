"""The exact money rule of the engine (tools/money.py): every amount computed exactly and
rounded half-up once. The expected figures are worked out by hand in the comments."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._engine import engine


@pytest.mark.parametrize(
    "num, den, expected",
    [
        (5, 2, 3),  # 2.5 -> 3
        (-5, 2, -3),  # -2.5 -> -3 (away from zero)
        (7, 3, 2),  # 2.33 -> 2
        (8, 3, 3),  # 2.67 -> 3
        (1, -2, -1),  # -0.5 -> -1
        (0, 7, 0),
        (10**30 + 1, 2, 5 * 10**29 + 1),  # big ints stay exact
    ],
)
def test_div_half_up(num, den, expected):
    assert engine.div_half_up(num, den) == expected


@pytest.mark.parametrize(
    "value, digits, units",
    [
        (1.005, 2, 101),  # the decimal 1.005, not the binary 1.00499999999999989...
        (2.675, 2, 268),
        (-1.005, 2, -101),
        (499.995, 2, 50000),
        (1.0049999999, 2, 100),
        (0.125, 2, 13),
        (Decimal("0.125"), 2, 13),
        (Fraction(1, 3), 2, 33),
        (Fraction(99999, 200), 2, 50000),  # (1,000,000.00 - 999,000.01) / 2 = 499.995
        (7, 0, 7),
        (2.5, 0, 3),
        (999999999999.99, 2, 99999999999999),
        (Decimal("123456789.123456789"), 9, 123456789123456789),
        (123456789.12345679, 9, 123456789123456790),  # the float prints with 8 decimals
    ],
)
def test_to_units(value, digits, units):
    assert engine.to_units(value, digits) == units


def test_round_money_and_make_rounding_are_one_rule():
    cents = engine.make_rounding(2)
    for value, expected in [(1.005, 1.01), (2.675, 2.68), (-2.675, -2.68), (1234567.885, 1234567.89), (0.3, 0.3)]:
        assert engine.round_money(value) == expected
        assert cents(value) == expected
    assert engine.round_money(Fraction(99999, 200)) == 500.0
    assert engine.round_money(2.5, 0) == 3.0
    assert engine.from_units(50000, 2) == 500.0
    assert str(engine.from_units(-1, 2)) == "-0.01"
    with pytest.raises(ValueError):
        engine.round_money(float("nan"))
    with pytest.raises(ValueError):
        engine.round_money("1.00")
    with pytest.raises(ValueError):
        engine.make_rounding(10)
    with pytest.raises(ValueError):
        engine.to_units(1.5, -1)
    with pytest.raises(ValueError):
        engine.from_units(150, 2.5)


@settings(max_examples=500, deadline=None)
@given(st.integers(-(10**14), 10**14), st.integers(0, 6))
def test_make_rounding_is_half_up_of_the_printed_decimal(units, digits):
    """On values printed with up to 3 more decimals than kept (ties included)."""
    value = units / 1000
    expected = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    assert engine.make_rounding(digits)(value) == float(expected)
    assert engine.to_units(value, digits) == int(expected.scaleb(digits))


@pytest.mark.parametrize(
    "amount, percent, expected",
    [
        (1000.50, 1.5, 15.01),  # 15.0075 -> 15.01
        (10000, 2, 200.0),
        (333.33, 33.3333, 111.11),  # 111.109888... -> 111.11
        (0.01, 50, 0.01),  # 0.005 -> 0.01
        (123.45, 0, 0.0),
    ],
)
def test_percent_of(amount, percent, expected):
    assert engine.percent_of(amount, percent) == expected


@pytest.mark.parametrize(
    "amount, part, whole, leaving, kept",
    [
        # The case: residual 20,000.01, an item of 50,000 of 100,000 leaves:
        # 20,000.01 * 50,000 / 100,000 = 10,000.005 -> 10,000.01 leaves, 10,000.00 is kept
        # (rounding the kept part instead would keep 10,000.01 and let 10,000.00 leave).
        (20000.01, 50000, 100000, 10000.01, 10000.0),
        (0.01, 1, 2, 0.01, 0.0),  # 0.005 -> 0.01
        (0.03, 1, 2, 0.02, 0.01),  # 0.015 -> 0.02
        (100.03, 1, 3, 33.34, 66.69),  # 33.34333...
        (999.99, 2, 3, 666.66, 333.33),  # 666.66 exactly
        (7777.77, 3, 8, 2916.66, 4861.11),  # 2,916.66375 -> 2,916.66
        # 10,000.05 * 12,345.67 = 123,457,317.2835; / 54,321.09 = 2,272.7327 -> 2,272.73
        (10000.05, 12345.67, 54321.09, 2272.73, 7727.32),
        (12345.67, 0, 100, 0.0, 12345.67),
        (12345.67, 100, 100, 12345.67, 0.0),
    ],
)
def test_split_share(amount, part, whole, leaving, kept):
    assert engine.split_share(amount, part, whole) == (leaving, kept)
    # The same through a rounding callable that is not the engine's (the generic path).
    assert engine.split_share(amount, part, whole, lambda x: engine.round_half_up(x)) == (leaving, kept)
    # The two parts add up to the amount, exactly.
    assert Decimal(repr(leaving)) + Decimal(repr(kept)) == Decimal(repr(amount))


def test_split_share_other_precisions_and_errors():
    # Whole units: 101 / 2 = 50.5 -> 51 leaves, 50 stays.
    assert engine.split_share(101, 1, 2, digits=0) == (51.0, 50.0)
    # 3 decimals: 10.001 / 2 = 5.0005 -> 5.001, 5.000 stays.
    assert engine.split_share(10.001, 1, 2, engine.make_rounding(3)) == (5.001, 5.0)
    for args in [(100, 1, 0), (100, -1, 2), (100, 3, 2), (-100, 1, 2), (1e12, 1, 2)]:
        with pytest.raises(ValueError):
            engine.split_share(*args)
    with pytest.raises(ValueError):
        engine.split_share(100, 1, 2, engine.round_half_up, digits=2)
