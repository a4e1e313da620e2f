from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def button_cancel(self):
        result = super().button_cancel()
        self.filtered(lambda m: m.state == "cancel")._leasing_release_commissions()
        return result

    def unlink(self):
        # Before the bills go: a billed commission keeps its bill until it is released.
        self._leasing_release_commissions()
        return super().unlink()

    def _leasing_release_commissions(self):
        """The commissions of cancelled or deleted commission bills can be billed again."""
        bills = self.filtered(lambda m: m.leasing_move_kind == "commission")
        if bills:
            self.env["leasing.commission"].search([("bill_id", "in", bills.ids)])._release_from_bills()
