from odoo import api, fields, models

from .leasing_system_fields_mixin import check_system_fields, without_system_defaults


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    leasing_contract_id = fields.Many2one(
        related="move_id.leasing_contract_id", store=True, index="btree_not_null", string="Lease Contract"
    )

    # The lease of a journal item follows its entry: writing it here would write the entry's.
    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        return super(AccountMoveLine, without_system_defaults(self)).create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals])
        return super().write(vals)

    def _reconcile_post_hook(self, data):
        """An invoice settled by credit notes alone becomes 'reversed', not 'paid', and Odoo does
        not call the paid hook for it: it may still be the last invoice of a paid-off lease."""
        result = super()._reconcile_post_hook(data)
        data["not_paid_invoices"].filtered(lambda move: move.payment_state == "reversed")._leasing_close_paid_off()
        return result
