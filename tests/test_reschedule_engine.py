"""Rescheduling a running lease: hand-worked cases and invariants.

The expected rows are worked out by hand, cent by cent (every step in the comments), never
with the code under test. Rounding is half-up to the cent; r = annual_rate / 100 * p / 12.
The invariants are checked in ``decimal`` arithmetic against oracles written here.
"""

import calendar
import importlib
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._engine import engine

reschedule = importlib.import_module(engine.__name__ + ".reschedule")

START = date(2024, 1, 31)  # a month end in a leap year
CENT = Decimal("0.01")


def rows_of(first_sequence, table, due_dates, residual_date=None):
    """Rows from (principal, interest, amount, balance) tuples numbered from ``first_sequence``;
    with ``residual_date`` the last tuple is the residual line."""
    rows = []
    for offset, (values, due) in enumerate(zip(table, list(due_dates) + [residual_date])):
        principal, interest, amount, balance = values
        is_residual = residual_date is not None and offset == len(table) - 1
        rows.append(
            {
                "sequence": first_sequence + offset,
                "line_type": "residual" if is_residual else "installment",
                "due_date": due,
                "principal": principal,
                "interest": interest,
                "amount": amount,
                "balance": balance,
            }
        )
    return rows


# ---------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------
# The original lease of the annuity cases: 1,000.00 at 12 % a year, monthly (r = 0.01),
# 4 instalments in arrears from 2024-01-31.
#   PMT = 1000 * 0.01 / (1 - 1.01**-4) = 10 / 0.0390197... = 256.2811... -> 256.28
#   1 (2024-02-29): I = 10.00   P = 246.28  B = 753.72
#   2 (2024-03-31): I = 7.5372 -> 7.54  P = 248.74  B = 504.98
#   3 (2024-04-30): I = 5.0498 -> 5.05  P = 251.23  B = 253.75
#   4 (2024-05-31): I = 2.5375 -> 2.54  P = 253.75  A = 256.29  B = 0
# Instalment 1 is invoiced (kept); the lessee prepays 253.72 of the 753.72 still owed: B = 500.00.


def test_lower_installment_annuity_arrears():
    # Same 3 remaining instalments: PMT = 500 * 0.01 / (1 - 1.01**-3) = 5 / 0.0294098... = 170.0110 -> 170.01
    #   2: I = 500.00 * 0.01 = 5.00          P = 165.01  B = 334.99
    #   3: I = 334.99 * 0.01 = 3.3499 -> 3.35  P = 166.66  B = 168.33
    #   4: I = 168.33 * 0.01 = 1.6833 -> 1.68  P = 168.33 (all that is left)  A = 170.01  B = 0
    expected = rows_of(
        2,
        [(165.01, 5.00, 170.01, 334.99), (166.66, 3.35, 170.01, 168.33), (168.33, 1.68, 170.01, 0.0)],
        [date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)],
    )
    got = reschedule.lower_installment(500.0, 12.0, 3, 1, "annuity", "arrears", START, 1)
    assert got == expected
    # Principal: 246.28 invoiced + 253.72 prepaid + 500.00 rescheduled = 1,000.00 financed.
    assert sum(Decimal(repr(row["principal"])) for row in got) == Decimal("500.00")


def test_shorter_term_annuity_arrears():
    # Keep 256.28: nper(0.01, -256.28, 500) = -ln(1 - 500 * 0.01 / 256.28) / ln(1.01)
    #   = -ln(0.980490) / 0.0099503 = 0.0197025 / 0.0099503 = 1.980 -> 2 instalments
    #   2: I = 5.00                        P = 251.28  B = 248.72
    #   3: I = 248.72 * 0.01 = 2.4872 -> 2.49  P = 248.72  A = 251.21  B = 0
    expected = rows_of(
        2,
        [(251.28, 5.00, 256.28, 248.72), (248.72, 2.49, 251.21, 0.0)],
        [date(2024, 3, 31), date(2024, 4, 30)],
    )
    assert reschedule.shorter_term(500.0, 12.0, 256.28, 1, "annuity", "arrears", START, 1) == expected


def test_lower_installment_annuity_advance():
    # 1,000.00 at 12 %, 3 instalments in advance from 2024-01-31:
    #   PMT(begin) = 340.0221 / 1.01 = 336.6555 -> 336.66; 1 (2024-01-31): I = 0, P = 336.66, B = 663.34.
    # Instalment 1 kept; prepay 163.34: B = 500.00, 2 instalments left, the next one due
    # 2024-02-29 one period after B is struck: PMT(end) = 5 / (1 - 1.01**-2) = 5 / 0.0197040 = 253.7562 -> 253.76
    #   2 (2024-02-29): I = 5.00                   P = 248.76  B = 251.24
    #   3 (2024-03-31): I = 2.5124 -> 2.51  P = 251.24  A = 253.75  B = 0
    expected = rows_of(
        2,
        [(248.76, 5.00, 253.76, 251.24), (251.24, 2.51, 253.75, 0.0)],
        [date(2024, 2, 29), date(2024, 3, 31)],
    )
    assert reschedule.lower_installment(500.0, 12.0, 2, 1, "annuity", "advance", START, 1) == expected


def test_equal_principal_lower_and_shorter():
    # 1,200.00 at 8 % a year, quarterly (r = 0.02), 4 instalments in arrears: P = 300.00.
    #   1 (2024-04-30): I = 24.00, A = 324.00, B = 900.00 (kept). Prepay 250.00: B = 650.00.
    # Lower (spread over the 3 left): P = 650 / 3 = 216.666 -> 216.67
    #   2 (2024-07-31): I = 13.00  P = 216.67  A = 229.67  B = 433.33
    #   3 (2024-10-31): I = 433.33 * 0.02 = 8.6666 -> 8.67  P = 216.67  A = 225.34  B = 216.66
    #   4 (2025-01-31): I = 216.66 * 0.02 = 4.3332 -> 4.33  P = 216.66  A = 220.99  B = 0
    dates = [date(2024, 7, 31), date(2024, 10, 31), date(2025, 1, 31)]
    lower = rows_of(
        2,
        [(216.67, 13.00, 229.67, 433.33), (216.67, 8.67, 225.34, 216.66), (216.66, 4.33, 220.99, 0.0)],
        dates,
    )
    assert reschedule.lower_installment(650.0, 8.0, 3, 3, "equal_principal", "arrears", START, 1) == lower
    # Shorter (keep 300.00 a quarter): ceil(650 / 300 = 2.17) = 3, the last one takes the 50.00 left.
    #   2: I = 13.00  A = 313.00  B = 350.00;  3: I = 7.00  A = 307.00  B = 50.00;  4: I = 1.00  A = 51.00
    shorter = rows_of(2, [(300.0, 13.00, 313.00, 350.0), (300.0, 7.00, 307.00, 50.0), (50.0, 1.00, 51.00, 0.0)], dates)
    assert reschedule.shorter_term(650.0, 8.0, 300.0, 3, "equal_principal", "arrears", START, 1) == shorter
    # Prepay 300.00 (B = 600.00): exactly 2 quarters, no empty third one.
    got = reschedule.shorter_term(600.0, 8.0, 300.0, 3, "equal_principal", "arrears", START, 1)
    assert [row["principal"] for row in got] == [300.0, 300.0]


def test_lower_installment_equal_principal_half_cent_rounds_up():
    # Balance 138,755.11, residual 122,012.32 (arrears: target = residual), 6 %/yr monthly
    # (r = 0.005), 6 instalments left after 12 kept, from 2024-01-31:
    #   P = (138,755.11 - 122,012.32) / 6 = 16,742.79 / 6 = 2,790.465 exactly -> 2,790.47
    #   13: I = 138,755.11 * 0.005 = 693.77555 -> 693.78  B = 135,964.64
    #   14: I = 679.8232 -> 679.82  B = 133,174.17
    #   15: I = 665.87085 -> 665.87  B = 130,383.70
    #   16: I = 651.9185 -> 651.92  B = 127,593.23
    #   17: I = 637.96615 -> 637.97  B = 124,802.76
    #   18: I = 624.0138 -> 624.01  P = 124,802.76 - 122,012.32 = 2,790.44  B = 122,012.32
    #   residual 122,012.32 on 2025-07-31 with instalment 18.
    expected = rows_of(
        13,
        [
            (2790.47, 693.78, 3484.25, 135964.64),
            (2790.47, 679.82, 3470.29, 133174.17),
            (2790.47, 665.87, 3456.34, 130383.70),
            (2790.47, 651.92, 3442.39, 127593.23),
            (2790.47, 637.97, 3428.44, 124802.76),
            (2790.44, 624.01, 3414.45, 122012.32),
            (122012.32, 0.0, 122012.32, 0.0),
        ],
        [date(2025, m, d) for m, d in ((2, 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31))],
        residual_date=date(2025, 7, 31),
    )
    args = (138755.11, 6.0, 6, 1, "equal_principal", "arrears", START, 12)
    assert reschedule.lower_installment(*args, residual=122012.32) == expected
    generic = reschedule.lower_installment(*args, residual=122012.32, rounding=lambda x: engine.round_half_up(x))
    assert generic == expected


def test_shorter_term_never_lengthens_equal_principal():
    # Equal principal, 2 instalments left of 39,665.00 and 39,665.08 (balance 79,330.08), 10 kept,
    # 6 %/yr monthly (r = 0.005); the lessee prepays 0.01: B = 79,330.07, level 39,665.00.
    # (B - 0) / 39,665.00 = 2.00000018 -> ceil gives 3 instalments, one more than were left.
    # With max_periods=2 the count stays 2 and the last absorbs the rest:
    #   11 (2024-12-31): I = 79,330.07 * 0.005 = 396.65035 -> 396.65  P = 39,665.00  B = 39,665.07
    #   12 (2025-01-31): I = 39,665.07 * 0.005 = 198.32535 -> 198.33  P = 39,665.07  A = 39,863.40
    args = (79330.07, 6.0, 39665.0, 1, "equal_principal", "arrears", START, 10)
    assert len(reschedule.shorter_term(*args)) == 3  # unbounded: the old behaviour
    expected = rows_of(
        11,
        [(39665.0, 396.65, 40061.65, 39665.07), (39665.07, 198.33, 39863.4, 0.0)],
        [date(2024, 12, 31), date(2025, 1, 31)],
    )
    assert reschedule.shorter_term(*args, max_periods=2) == expected


def test_shorter_term_never_lengthens_annuity():
    # The annuity of the first hand-worked schedule: 1,000.00 at 12 %, 3 months, level 340.02,
    # the last instalment 340.03. Instalment 1 kept (B = 669.98), nothing prepaid, level kept:
    # 2 payments of 340.02 repay only 340.02 * (1 - 1.01**-2) / 0.01 = 669.9737 < 669.98, so nper
    # is just above 2 and the unbounded count is 3 (a third instalment of 0.01).
    args = (669.98, 12.0, 340.02, 1, "annuity", "arrears", START, 1)
    assert [row["amount"] for row in reschedule.shorter_term(*args)] == [340.02, 340.02, 0.01]
    # Bounded by the 2 instalments that were left: the original rows 2 and 3.
    #   2: I = 6.70  P = 333.32  B = 336.66;  3: I = 3.37  P = 336.66  A = 340.03  B = 0
    expected = rows_of(
        2,
        [(333.32, 6.70, 340.02, 336.66), (336.66, 3.37, 340.03, 0.0)],
        [date(2024, 3, 31), date(2024, 4, 30)],
    )
    assert reschedule.shorter_term(*args, max_periods=2) == expected
    # A bound above what is needed changes nothing; a bound of 0 is refused.
    assert reschedule.shorter_term(*args, max_periods=5) == reschedule.shorter_term(*args)
    with pytest.raises(ValueError, match="at least 1"):
        reschedule.shorter_term(*args, max_periods=0)


def test_interest_only_lower_keeps_the_dates_and_the_residual():
    # 1,000.00, residual 200.00, 12 % monthly, interest only, 3 instalments in advance.
    # T = 200 / 1.01 = 198.0198 -> 198.02. Rows 1 (0.00) and 2 (I = 10.00) kept, balance 1,000.00;
    # prepay 400.00: B = 600.00, one instalment left, due 2024-03-31 as before:
    #   3: I = 6.00  P = 600.00 - 198.02 = 401.98  A = 407.98  B = 198.02
    #   residual (2024-04-30): P = 198.02  I = 200.00 - 198.02 = 1.98  A = 200.00  B = 0
    expected = rows_of(
        3,
        [(401.98, 6.00, 407.98, 198.02), (198.02, 1.98, 200.0, 0.0)],
        [date(2024, 3, 31)],
        residual_date=date(2024, 4, 30),
    )
    got = reschedule.lower_installment(600.0, 12.0, 1, 1, "interest_only", "advance", START, 2, residual=200.0)
    assert got == expected


def test_extend_balloon_arrears():
    # Residual of 400.00 due with instalment 3 (2024-04-30), refinanced over 2 more months at 12 %:
    #   PMT = 400 * 0.01 / (1 - 1.01**-2) = 4 / 0.0197040 = 203.0050 -> 203.00
    #   4 (2024-05-31): I = 4.00  P = 199.00  B = 201.00
    #   5 (2024-06-30): I = 2.01  P = 201.00  A = 203.01  B = 0
    expected = rows_of(
        4, [(199.0, 4.00, 203.00, 201.0), (201.0, 2.01, 203.01, 0.0)], [date(2024, 5, 31), date(2024, 6, 30)]
    )
    assert reschedule.extend_balloon(400.0, 12.0, 2, 1, "arrears", START, 3) == expected


def test_extend_balloon_advance():
    # In advance the residual line (due 2024-04-30, one period after instalment 3) has principal
    # T = 200 / 1.01 -> 198.02. Refinanced over 2 instalments in advance from its own due date:
    #   PMT = 198.02 * 0.01 / (1 - 1.01**-2) = 198.02 * 0.5075124 = 100.4976 -> 100.50
    #   4 (2024-04-30): I = 198.02 * 0.01 = 1.9802 -> 1.98  P = 98.52  B = 99.50
    #   5 (2024-05-31): I = 99.50 * 0.01 = 0.995 -> 1.00 (half-up)  P = 99.50  A = 100.50  B = 0
    expected = rows_of(
        4, [(98.52, 1.98, 100.50, 99.50), (99.50, 1.00, 100.50, 0.0)], [date(2024, 4, 30), date(2024, 5, 31)]
    )
    assert reschedule.extend_balloon(198.02, 12.0, 2, 1, "advance", START, 3) == expected


def test_dates_continue_the_original_calendar_from_jan_31():
    # A lease from 2023-01-31 (not a leap year): instalment 1 fell due on 2023-02-28. The new rows
    # fall due on Mar 31, Apr 30, May 31 - computed from Jan 31, not from Feb 28 (which would
    # drift to Mar 28, Apr 28, ...). 300.00 at 0 %: 100.00 each.
    got = reschedule.lower_installment(300.0, 0.0, 3, 1, "annuity", "arrears", date(2023, 1, 31), 1)
    assert [row["due_date"] for row in got] == [date(2023, 3, 31), date(2023, 4, 30), date(2023, 5, 31)]
    assert [row["amount"] for row in got] == [100.0, 100.0, 100.0]
    # Quarterly from 2023-11-30, 2 kept: 2024-05-30 (not 2024-05-29 via Feb 29), then Aug 30.
    got = reschedule.lower_installment(200.0, 0.0, 2, 3, "annuity", "arrears", date(2023, 11, 30), 2)
    assert [row["due_date"] for row in got] == [date(2024, 8, 30), date(2024, 11, 30)]


def test_shorter_term_at_zero_rate():
    # 0 %: 500.00 at 200.00 a period = 2.5 periods -> 3: 200.00, 200.00, 100.00.
    # (numpy-financial 1.0.0 returns -2.5 for this nper: the engine computes it itself.)
    got = reschedule.shorter_term(500.0, 0.0, 200.0, 1, "annuity", "arrears", START, 0)
    assert [(row["sequence"], row["amount"]) for row in got] == [(1, 200.0), (2, 200.0), (3, 100.0)]


def test_generic_rounding_gives_the_same_rows():
    def cents(value):
        return float(Decimal(repr(value)).quantize(CENT, ROUND_HALF_UP))

    for timing in ("arrears", "advance"):
        fast = reschedule.lower_installment(777.77, 9.5, 5, 1, "annuity", timing, START, 2, residual=100.0)
        slow = reschedule.lower_installment(777.77, 9.5, 5, 1, "annuity", timing, START, 2, 100.0, cents)
        assert fast == slow


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="interest-only"):
        reschedule.shorter_term(500.0, 12.0, 100.0, 1, "interest_only", "arrears", START, 1)
    with pytest.raises(ValueError, match="does not cover the interest"):
        # 5.00 a month does not even pay the 5.00 of interest on 500.00.
        reschedule.shorter_term(500.0, 12.0, 5.0, 1, "annuity", "arrears", START, 1)
    with pytest.raises(ValueError, match="residual"):
        reschedule.lower_installment(150.0, 12.0, 2, 1, "annuity", "arrears", START, 1, residual=200.0)
    with pytest.raises(ValueError, match="at least 1"):
        reschedule.lower_installment(150.0, 12.0, 0, 1, "annuity", "arrears", START, 1)
    with pytest.raises(ValueError, match="no residual"):
        reschedule.extend_balloon(0.0, 12.0, 2, 1, "arrears", START, 3)
    with pytest.raises(ValueError, match="at least 1"):
        reschedule.extend_balloon(400.0, 12.0, 0, 1, "arrears", START, 3)
    assert reschedule.lower_installment(0.0, 12.0, 2, 1, "annuity", "arrears", START, 1) == []


# ---------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------
def dec(x):
    return Decimal(repr(x))


def near_tie(x):
    """True when ``x`` is so close to a half cent that float noise may decide the rounding."""
    frac = abs((x / CENT) % 1)
    return abs(frac - Decimal("0.5")) < abs(x / CENT) * Decimal(2) ** -46 + Decimal("1e-9")


def oracle_add_months(d, months):
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


@st.composite
def changes(draw):
    """An original lease, the instalments kept and a prepayment leaving at least the residual."""
    financed_cents = draw(st.integers(10_000, 100_000_000))
    residual_cents = financed_cents * draw(st.integers(0, 60)) // 100
    period = draw(st.sampled_from(engine.PERIOD_MONTHS))
    term = draw(st.integers(2, min(120, engine.MAX_MONTHS // period)))
    lease = {
        "financed": financed_cents / 100,
        "annual_rate": draw(st.integers(0, 300_000).map(lambda v: v / 10_000)),  # 0..30 %
        "term": term,
        "period_months": period,
        "method": draw(st.sampled_from(engine.METHODS)),
        "timing": draw(st.sampled_from(engine.TIMINGS)),
        "start_date": draw(
            st.one_of(
                st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
                st.builds(month_end, st.integers(2000, 2060), st.integers(1, 12)),
            )
        ),
        "residual": residual_cents / 100,
    }
    kept = draw(st.integers(0, term - 1))
    fraction = draw(st.integers(0, 1000))  # per mille of what may be prepaid
    return lease, kept, fraction


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes(), st.sampled_from(["lower", "shorter"]))
def test_prepayment_invariants(change, mode):
    lease, kept, fraction = change
    original = engine.compute_schedule(**lease)
    installments = [row for row in original if row["line_type"] == "installment"]
    residual_rows = [row for row in original if row["line_type"] == "residual"]
    target = dec(residual_rows[0]["principal"]) if residual_rows else Decimal(0)
    owed = dec(installments[kept - 1]["balance"]) if kept else dec(lease["financed"])
    invoiced = sum((dec(row["principal"]) for row in installments[:kept]), Decimal(0))
    prepaid = ((owed - target) * fraction / 1000).quantize(CENT)
    balance = owed - prepaid
    common = {
        "period_months": lease["period_months"],
        "method": lease["method"],
        "timing": lease["timing"],
        "start_date": lease["start_date"],
        "kept": kept,
        "residual": lease["residual"],
    }
    remaining = lease["term"] - kept
    if mode == "lower":
        rows = reschedule.lower_installment(float(balance), lease["annual_rate"], remaining, **common)
    elif lease["method"] == "interest_only":
        with pytest.raises(ValueError):
            reschedule.shorter_term(float(balance), lease["annual_rate"], 1.0, **common)
        return
    else:
        paying = installments[kept] if remaining > 1 else installments[-1]
        level = paying["amount"] if lease["method"] == "annuity" else paying["principal"]
        if lease["timing"] == "advance" and kept == 0 and lease["method"] == "annuity":
            level = installments[0]["amount"]
        try:
            rows = reschedule.shorter_term(float(balance), lease["annual_rate"], level, **common, max_periods=remaining)
        except ValueError:
            # Only when the kept level no longer covers the interest (guarded original rows).
            assert dec(level) <= balance * dec(lease["annual_rate"]) / 1200 * lease["period_months"] + 1
            return
    if not balance and not target:
        assert rows == []  # everything prepaid: nothing left to schedule
        return
    new_installments = [row for row in rows if row["line_type"] == "installment"]
    m = len(new_installments)
    if mode == "lower":
        assert m == remaining
    else:
        assert 1 <= m <= remaining  # a shorter term never lengthens the lease
        if m > 1:
            assert new_installments[-2]["balance"] > float(target)  # no empty last instalment
    # Principal: rescheduled + prepaid + invoiced = financed, exactly.
    assert sum((dec(row["principal"]) for row in rows), Decimal(0)) + prepaid + invoiced == dec(lease["financed"])
    # Balances chain down to zero, amounts are principal + interest, the interest is the rounded
    # balance before the row x r (none on an in-advance first instalment, the last period's on an
    # in-advance residual line).
    rate = dec(lease["annual_rate"]) / 100 * lease["period_months"] / 12
    first_free = lease["timing"] == "advance" and kept == 0
    previous = balance
    for index, row in enumerate(rows):
        assert dec(row["amount"]) == dec(row["principal"]) + dec(row["interest"])
        if row["line_type"] == "residual":
            assert dec(row["interest"]) == dec(lease["residual"]) - dec(row["principal"])
        elif first_free and index == 0:
            assert row["interest"] == 0.0
        elif not near_tie(previous * rate):
            assert dec(row["interest"]) == (previous * rate).quantize(CENT, ROUND_HALF_UP)
        assert dec(row["balance"]) == previous - dec(row["principal"])
        previous = dec(row["balance"])
    assert rows[-1]["balance"] == 0.0
    # Numbering and dates continue the original calendar from the original start date.
    shift = 0 if lease["timing"] == "arrears" else 1
    start, months = lease["start_date"], lease["period_months"]
    for offset, row in enumerate(new_installments, start=1):
        assert row["sequence"] == kept + offset
        assert row["due_date"] == oracle_add_months(start, (kept + offset - shift) * months)
    if residual_rows:
        assert rows[-1]["line_type"] == "residual"
        assert rows[-1]["sequence"] == kept + m + 1
        assert rows[-1]["due_date"] == oracle_add_months(start, (kept + m) * months)
        assert rows[-1]["amount"] == lease["residual"]


def test_lower_installment_keeping_all_but_the_last_in_advance():
    """Found by the property test below (hypothesis, a random run). Not an off-by-one on the last
    instalment: the original schedule itself is repaid one instalment early, so nothing is left
    to reschedule after 52 kept.

    100.00 at 25.8786 % a year, 53 half-yearly instalments in advance from 2000-01-01:
    r = 0.258786 * 6 / 12 = 0.129393 a half-year, A = pmt(begin) = 11.475016 -> 11.48. The
    0.005 paid too much each time, compounded at 12.9 % over 50 periods, repays a whole
    instalment's worth by the 51st:
      50 (2024-07-01): P = 8.99  I = 2.49  A = 11.48  B = 10.22
      51 (2025-01-01): I = 10.22 * 0.129393 = 1.3224 -> 1.32  P = 10.16  B = 0.06
      52 (2025-07-01): I = 0.06 * 0.129393 = 0.0078 -> 0.01, the principal cut to the 0.06 left
                       (guard of schedule.py): A = 0.07  B = 0
      53 (2026-01-01): nothing left: 0.00
    """
    lease = {
        "financed": 100.0,
        "annual_rate": 25.8786,
        "term": 53,
        "period_months": 6,
        "method": "annuity",
        "timing": "advance",
        "start_date": date(2000, 1, 1),
        "residual": 0.0,
    }
    original = engine.compute_schedule(**lease)
    assert original[49:] == rows_of(
        50,
        [(8.99, 2.49, 11.48, 10.22), (10.16, 1.32, 11.48, 0.06), (0.06, 0.01, 0.07, 0.0), (0.0, 0.0, 0.0, 0.0)],
        [date(2024, 7, 1), date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1)],
    )
    common = (25.8786, 6, "annuity", "advance", date(2000, 1, 1))
    # 52 kept: 0.00 owed and no residual, so no row (as after a prepayment of everything, and as
    # shorter_term): the 0.00 instalment 53 is dropped, not rescheduled.
    assert reschedule.lower_installment(0.0, common[0], 1, *common[1:], 52) == []
    assert reschedule.shorter_term(0.0, common[0], 11.48, *common[1:], 52, max_periods=1) == []
    # 51 kept: the 0.06 left over the 2 instalments left, the first one due a period after the
    # balance is struck: A = 0.06 * r / (1 - 1.129393**-2) = 0.06 * 0.599010 = 0.0359 -> 0.04
    #   52 (2025-07-01): I = 0.06 * 0.129393 = 0.0078 -> 0.01  P = 0.03  B = 0.03
    #   53 (2026-01-01): I = 0.03 * 0.129393 = 0.0039 -> 0.00  P = 0.03  A = 0.03  B = 0
    got = reschedule.lower_installment(0.06, common[0], 2, *common[1:], 51)
    assert got == rows_of(52, [(0.03, 0.01, 0.04, 0.03), (0.03, 0.0, 0.03, 0.0)], [date(2025, 7, 1), date(2026, 1, 1)])
    assert sum(Decimal(repr(row["principal"])) for row in got) == Decimal("0.06")


# ---------------------------------------------------------------------------
# One instalment left (m = 1): the single new instalment takes all the principal
# ---------------------------------------------------------------------------
# 600.00 owed at 12 % a year, monthly (r = 0.01), original start 2024-01-31, 1 instalment left.
# Its interest is 600.00 * 0.01 = 6.00, except on an in-advance first instalment (k = 0): none.
# In arrears instalment j is due start + j months, in advance start + (j - 1); the residual line
# start + (k + 1) months. With a residual of 200.00 the target is 200.00 in arrears,
# round(200 / 1.01 = 198.0198) = 198.02 in advance (the residual line then carries 1.98).
ONE_LEFT = {
    # (timing, kept, residual): (instalment rows, their due dates, residual date or None)
    ("arrears", 0, 0.0): ([(600.0, 6.0, 606.0, 0.0)], [date(2024, 2, 29)], None),
    ("arrears", 3, 0.0): ([(600.0, 6.0, 606.0, 0.0)], [date(2024, 5, 31)], None),
    ("advance", 0, 0.0): ([(600.0, 0.0, 600.0, 0.0)], [date(2024, 1, 31)], None),
    ("advance", 3, 0.0): ([(600.0, 6.0, 606.0, 0.0)], [date(2024, 4, 30)], None),
    ("arrears", 0, 200.0): (
        [(400.0, 6.0, 406.0, 200.0), (200.0, 0.0, 200.0, 0.0)],
        [date(2024, 2, 29)],
        date(2024, 2, 29),
    ),
    ("arrears", 3, 200.0): (
        [(400.0, 6.0, 406.0, 200.0), (200.0, 0.0, 200.0, 0.0)],
        [date(2024, 5, 31)],
        date(2024, 5, 31),
    ),
    ("advance", 0, 200.0): (
        [(401.98, 0.0, 401.98, 198.02), (198.02, 1.98, 200.0, 0.0)],
        [date(2024, 1, 31)],
        date(2024, 2, 29),
    ),
    ("advance", 3, 200.0): (
        [(401.98, 6.0, 407.98, 198.02), (198.02, 1.98, 200.0, 0.0)],
        [date(2024, 4, 30)],
        date(2024, 5, 31),
    ),
}


@pytest.mark.parametrize(("timing", "kept", "residual"), sorted(ONE_LEFT))
def test_one_instalment_left(timing, kept, residual):
    table, due_dates, residual_date = ONE_LEFT[timing, kept, residual]
    expected = rows_of(kept + 1, table, due_dates, residual_date)

    def cents(value):
        return float(Decimal(repr(value)).quantize(CENT, ROUND_HALF_UP))

    for method in engine.METHODS:
        args = (1, 1, method, timing, START, kept)  # 1 instalment left, monthly
        assert reschedule.lower_installment(600.0, 12.0, *args, residual=residual) == expected, method
        assert reschedule.lower_installment(600.0, 12.0, *args, residual, cents) == expected, method
    # shorter_term: a level that repays it all in one instalment, or a small one bounded to the
    # one instalment left (which then absorbs the rest, never a second one).
    for method, level, bound in (
        ("annuity", table[0][2], None),
        ("equal_principal", table[0][0], None),
        ("annuity", 100.0, 1),
        ("equal_principal", 100.0, 1),
    ):
        got = reschedule.shorter_term(
            600.0, 12.0, level, 1, method, timing, START, kept, residual=residual, max_periods=bound
        )
        assert got == expected, (method, level)
    assert sum(Decimal(repr(row["principal"])) for row in expected) == Decimal("600.00")


def test_extend_balloon_over_one_instalment():
    # In arrears the residual of 200.00 fell due with instalment 3 (2024-04-30): 1 more month at
    # 12 %: 4 (2024-05-31): I = 2.00  P = 200.00  A = 202.00.
    assert reschedule.extend_balloon(200.0, 12.0, 1, 1, "arrears", START, 3) == rows_of(
        4, [(200.0, 2.0, 202.0, 0.0)], [date(2024, 5, 31)]
    )
    # In advance the residual line of 200.00 (principal 198.02, due 2024-04-30) over 1 instalment
    # due that same day: I = 198.02 * 0.01 = 1.9802 -> 1.98  P = 198.02  A = 200.00 - the
    # residual line again, as an instalment.
    assert reschedule.extend_balloon(198.02, 12.0, 1, 1, "advance", START, 3) == rows_of(
        4, [(198.02, 1.98, 200.0, 0.0)], [date(2024, 4, 30)]
    )


@settings(max_examples=200, deadline=None)
@given(changes())
def test_no_prepayment_in_arrears_reproduces_the_original_dates_and_principal(change):
    """Rescheduling nothing (lower instalment, same balance) keeps the calendar and the residual
    line of the original schedule, whatever the kept count (unless nothing is owed any more)."""
    lease, kept, _fraction = change
    original = engine.compute_schedule(**lease)
    installments = [row for row in original if row["line_type"] == "installment"]
    owed = installments[kept - 1]["balance"] if kept else lease["financed"]
    rows = reschedule.lower_installment(
        owed,
        lease["annual_rate"],
        lease["term"] - kept,
        lease["period_months"],
        lease["method"],
        lease["timing"],
        lease["start_date"],
        kept,
        residual=lease["residual"],
    )
    if not owed and not lease["residual"]:
        # The rounded level repaid the original before its end (the guard of schedule.py leaves
        # its last instalments at 0.00): nothing is left to reschedule, and nothing owed is lost.
        assert rows == []
        assert all(row["amount"] == 0.0 for row in original[kept:])
        return
    assert [(row["sequence"], row["line_type"], row["due_date"]) for row in rows] == [
        (row["sequence"], row["line_type"], row["due_date"]) for row in original[kept:]
    ]
    # Interest only keeps every figure; equal principal too when nothing was kept.
    if lease["method"] == "interest_only" or (lease["method"] == "equal_principal" and kept == 0):
        assert rows == original[kept:]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3000).map(lambda v: v / 100000),  # r: 0.00001 .. 0.03 a period
    st.integers(100_00, 10_000_000_00),  # balance in cents
    st.integers(0, 90),  # target, % of the balance
    st.integers(101, 400),  # level, % of the interest-only payment
    st.booleans(),
)
def test_count_of_periods_matches_numpy_financial_nper(r, balance_cents, target_pct, level_pct, first_free):
    """The closed-form count of shorter_term against numpy-financial's nper (a cross-check: the
    engine does not call numpy-financial any more)."""
    import numpy_financial as npf

    balance = balance_cents / 100
    target = round(balance * target_pct / 100, 2)
    level = round(balance * r * level_pct / 100 + 0.01, 2)
    nper = float(npf.nper(r, -level, balance, -target, when="begin" if first_free else "end"))
    if nper > engine.MAX_TERM:
        return
    expected = max(1, math.ceil(nper - 1e-9))
    got = reschedule._annuity_periods(r, level, balance, target, first_free)
    # Equal, except where nper is within float noise of a whole number.
    assert got == expected or abs(nper - round(nper)) < 1e-6
