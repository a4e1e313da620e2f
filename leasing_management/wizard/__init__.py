from . import leasing_quote_wizard
from . import leasing_close_wizard, leasing_payoff_wizard
