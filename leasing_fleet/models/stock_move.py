from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            # A move reserved, done or cancelled moves its units or changes what waits for them.
            self.move_line_ids.lot_id._leasing_recompute_status()
        return result
