from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    leasing_contract_id = fields.Many2one(
        related="move_id.leasing_contract_id", store=True, index="btree_not_null", string="Lease Contract"
    )

    # ==================================================================
    # Early payoff
    # ==================================================================
    def _reconcile_post_hook(self, data):
        """An invoice settled by credit notes alone becomes 'reversed', not 'paid', and Odoo does
        not call the paid hook for it: it may still be the last invoice of a paid-off lease."""
        result = super()._reconcile_post_hook(data)
        data["not_paid_invoices"].filtered(lambda move: move.payment_state == "reversed")._leasing_close_paid_off()
        return result
