from . import test_device_locks, test_fleet_access, test_followup, test_transfers, test_units
