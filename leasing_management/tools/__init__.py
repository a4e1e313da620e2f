"""Pure-Python financial engine of the leasing addon.

Nothing here imports Odoo: the models call these functions, and the tests
load this package on its own. Modules import each other relatively.
"""

from .commission import COMMISSION_BASES, commission_amount
from .dates import (
    PERIOD_MONTHS,
    TIMINGS,
    add_months,
    days_in_month,
    due_dates,
    end_date,
    is_leap_year,
)
from .limits import MAX_AMOUNT, MAX_DATE, MAX_MONTHS, MAX_TERM, MIN_DATE
from .money import div_half_up, from_units, percent_of, ratio_of, round_money, split_share, to_units
from .payoff import accrued_interest, payoff_quote
from .rates import apr, apr_of_dated_flows, cash_flow_offsets, effective_annual_rate, irr, period_time, quote
from .reschedule import extend_balloon, lower_installment, shorter_term
from .schedule import (
    METHODS,
    compute_schedule,
    level_installment,
    make_rounding,
    periodic_rate,
    rate_ratio,
    round_half_up,
    schedule_totals,
)

__all__ = [
    "COMMISSION_BASES",
    "MAX_AMOUNT",
    "MAX_DATE",
    "MAX_MONTHS",
    "MAX_TERM",
    "METHODS",
    "MIN_DATE",
    "PERIOD_MONTHS",
    "TIMINGS",
    "accrued_interest",
    "add_months",
    "apr",
    "apr_of_dated_flows",
    "cash_flow_offsets",
    "commission_amount",
    "compute_schedule",
    "days_in_month",
    "div_half_up",
    "due_dates",
    "effective_annual_rate",
    "end_date",
    "extend_balloon",
    "from_units",
    "irr",
    "is_leap_year",
    "level_installment",
    "lower_installment",
    "make_rounding",
    "payoff_quote",
    "percent_of",
    "period_time",
    "periodic_rate",
    "quote",
    "rate_ratio",
    "ratio_of",
    "round_half_up",
    "round_money",
    "schedule_totals",
    "shorter_term",
    "split_share",
    "to_units",
]
