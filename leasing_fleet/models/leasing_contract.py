from odoo import api, models


class LeasingContract(models.Model):
    _inherit = "leasing.contract"

    @api.constrains("state")
    def _check_leasing_units_free(self):
        """A unit is on one open lease (approved or active) at a time."""
        self.filtered(lambda contract: contract.state in ("approved", "active")).line_ids._check_leasing_unit_free()

    def write(self, vals):
        result = super().write(vals)
        if {"state", "ownership_transferred_date"}.intersection(vals):
            # Approved, active, closed, ownership passed: the units' status follows their lease.
            self.line_ids.lot_id._leasing_recompute_status()
        return result
