from . import test_fleet_access
