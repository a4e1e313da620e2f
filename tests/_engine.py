"""Load ``leasing_management/tools`` as the standalone package ``leasing_engine``.

The addon package ``leasing_management/__init__.py`` imports Odoo; the engine
does not, so the tests and the benchmark load it on its own.
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_tools(addon, name):
    """Import ``addon``'s ``tools`` package once under ``name`` and return the module."""
    if name in sys.modules:
        return sys.modules[name]
    tools_dir = ROOT / addon / "tools"
    spec = importlib.util.spec_from_file_location(
        name, tools_dir / "__init__.py", submodule_search_locations=[str(tools_dir)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_engine(name="leasing_engine"):
    """Import the engine once under ``name`` and return the module."""
    return load_tools("leasing_management", name)


engine = load_engine()
