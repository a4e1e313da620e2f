from . import device_lock, gate_pass
