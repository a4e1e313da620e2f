"""Pure rules of leasing_fleet: no Odoo, no database, plain facts in, plain data out."""

from .unit_status import UnitFacts, unit_status  # noqa: F401
