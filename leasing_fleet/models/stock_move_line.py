from odoo import api, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.lot_id._leasing_recompute_status()
        return lines

    def write(self, vals):
        touched = {"lot_id", "location_id", "location_dest_id", "quantity", "picked"}
        before = self.lot_id if touched.intersection(vals) else self.env["stock.lot"]
        result = super().write(vals)
        if touched.intersection(vals):
            (before | self.lot_id)._leasing_recompute_status()
        return result

    def unlink(self):
        lots = self.lot_id
        result = super().unlink()
        lots._leasing_recompute_status()
        return result
