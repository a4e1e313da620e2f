from . import leasing_dispatch_decision_wizard
