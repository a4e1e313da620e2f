"""Commission of an intermediary: hand-worked figures, never the code under test."""

import pytest

from tests._engine import engine


@pytest.mark.parametrize(
    "financed, rate, expected",
    [
        (12345.67, 2.5, 308.64),  # 12,345.67 x 0.025 = 308.64175 -> 308.64
        (10000.50, 1.5, 150.01),  # 10,000.50 x 0.015 = 150.0075 -> half up 150.01
        (999.99, 3.0, 30.00),  # 999.99 x 0.03 = 29.9997 -> 30.00
        (1000.00, 0.0, 0.00),  # no rate, no commission
        (2000.00, 100.0, 2000.00),  # the whole amount
    ],
)
def test_percent_of_financed_amount(financed, rate, expected):
    assert engine.commission_amount("percent", financed, rate=rate) == expected


def test_percent_ignores_the_fixed_amount():
    # 1,000.00 x 0.02 = 20.00: the fixed amount of the rule plays no part.
    assert engine.commission_amount("percent", 1000.0, rate=2.0, fixed_amount=500.0) == 20.0


def test_fixed_amount_ignores_the_financed_amount():
    assert engine.commission_amount("fixed", 123456.78, rate=5.0, fixed_amount=250.0) == 250.0
    assert engine.commission_amount("fixed", 0.0, fixed_amount=99.999) == 100.0  # 99.999 -> 100.00


def test_rounding_of_the_caller():
    # Whole units (a zero-decimal currency): 12,345 x 0.025 = 308.625 -> 309.
    assert engine.commission_amount("percent", 12345.0, rate=2.5, rounding=engine.make_rounding(0)) == 309.0
    # Three decimals: 12,345.67 x 0.025 = 308.64175 -> 308.642.
    assert engine.commission_amount("percent", 12345.67, rate=2.5, rounding=engine.make_rounding(3)) == 308.642


@pytest.mark.parametrize(
    "basis, kwargs",
    [
        ("bonus", {"rate": 1.0}),
        ("percent", {"rate": -1.0}),
        ("percent", {"rate": 100.5}),
        ("fixed", {"fixed_amount": -10.0}),
    ],
)
def test_bad_inputs_are_refused(basis, kwargs):
    with pytest.raises(ValueError):
        engine.commission_amount(basis, 1000.0, **kwargs)


def test_negative_financed_amount_is_refused():
    with pytest.raises(ValueError):
        engine.commission_amount("percent", -1000.0, rate=1.0)
