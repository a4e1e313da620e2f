from . import device_lock
