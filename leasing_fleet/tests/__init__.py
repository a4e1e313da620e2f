from . import test_fleet_access
from . import test_dispatch, test_gate_pass
