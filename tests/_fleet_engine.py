"""Load ``leasing_fleet/tools`` as the standalone package ``leasing_fleet_engine``.

As ``_engine.py`` does for the leasing engine: the addon package imports Odoo, its pure rules do
not, so the tests load them on their own.
"""

from tests._engine import load_tools


def load_engine(name="leasing_fleet_engine"):
    """Import the fleet rules once under ``name`` and return the module."""
    return load_tools("leasing_fleet", name)


fleet_engine = load_engine()
