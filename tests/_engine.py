"""Load ``leasing_management/tools`` as the standalone package ``leasing_engine``.

The addon package ``leasing_management/__init__.py`` imports Odoo; the engine
does not, so the tests and the benchmark load it on its own.
"""

import importlib.util
import sys
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent.parent / "leasing_management" / "tools"


def load_engine(name="leasing_engine"):
    """Import the engine once under ``name`` and return the module."""
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


engine = load_engine()
