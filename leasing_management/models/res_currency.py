from odoo import models

from ..tools import make_rounding


class ResCurrency(models.Model):
    _inherit = "res.currency"

    def _leasing_rounding(self):
        """The rounding function the schedule engine should use for this currency.

        For the usual currencies, whose rounding step is 10**-decimal_places, the engine's own
        half-up rounding gives the same figures as ``round`` (same rule, same epsilon as
        ``float_round``) and lets it compute in whole cents, several times faster. Other steps
        (0.05 for CHF cash, say) go through ``round``."""
        self.ensure_one()
        if abs(self.rounding - 10**-self.decimal_places) < 10 ** -(self.decimal_places + 6):
            return make_rounding(self.decimal_places)
        return self.round
