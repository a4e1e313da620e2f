from . import leasing_gate_pass_report
