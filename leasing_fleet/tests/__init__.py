from . import test_fleet_access, test_followup, test_transfers, test_units
