from . import test_device_locks, test_fleet_access
