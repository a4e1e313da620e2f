from odoo import api, fields, models

from ..models.leasing_contract_closing import DEPOSIT_ACTIONS


class LeasingCloseWizard(models.TransientModel):
    _name = "leasing.close.wizard"
    _description = "Close a Lease at the End of its Term"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    deposit_held = fields.Monetary(compute="_compute_amounts")
    amount_open = fields.Monetary(
        string="Open Invoices", compute="_compute_amounts", help="Still due on the invoices of the lease."
    )
    deposit_action = fields.Selection(
        DEPOSIT_ACTIONS,
        string="Deposit",
        required=True,
        default="refund",
        help="Refund: a credit note for the deposit, to pay out to the lessee. Apply: the same credit "
        "note, set against the open invoices of the lease; what is left is refunded.",
    )

    @api.depends("contract_id")
    def _compute_amounts(self):
        for wizard in self:
            contract = wizard.contract_id
            wizard.deposit_held = contract.deposit_held
            wizard.amount_open = sum(contract._open_invoices().mapped("amount_residual")) if contract else 0.0

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._check_closing_rights()
        self.contract_id._do_close_end_of_term(self.deposit_action)
        return {"type": "ir.actions.act_window_close"}
