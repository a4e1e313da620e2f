"""Load ``leasing_fleet/tools`` as the standalone package ``leasing_fleet_engine``.

As ``_collections_engine.py`` does: the addon package imports Odoo, its pure rules do not, so the
tests load them on their own.
"""

import importlib.util
import sys
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent.parent / "leasing_fleet" / "tools"


def load_engine(name="leasing_fleet_engine"):
    """Import the fleet rules once under ``name`` and return the module."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, ENGINE_DIR / "__init__.py", submodule_search_locations=[str(ENGINE_DIR)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


fleet_engine = load_engine()
