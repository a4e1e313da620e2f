from . import leasing_quote_wizard
