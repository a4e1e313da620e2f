from . import (
    test_device_locks,
    test_dispatch,
    test_fleet_access,
    test_followup,
    test_gate_pass,
    test_transfers,
    test_units,
)
