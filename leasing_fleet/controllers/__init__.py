from . import gate_pass
