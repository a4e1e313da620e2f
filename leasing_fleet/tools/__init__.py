"""Pure rules of leasing_fleet: no Odoo, no database, plain facts in, plain data out."""

from .dispatch_conditions import CONDITION_CODES, DispatchFacts, evaluate_conditions  # noqa: F401
from .unit_status import UnitFacts, unit_status  # noqa: F401
