from . import leasing_reschedule_mixin, leasing_quote_wizard
from . import leasing_close_wizard, leasing_payoff_wizard
from . import leasing_discontinue_wizard, leasing_extension_wizard, leasing_prepayment_wizard
