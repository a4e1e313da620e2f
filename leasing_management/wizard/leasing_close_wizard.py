from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..models.leasing_contract import DEPOSIT_ACTIONS, LEDGER_FIGURES


class LeasingCloseWizard(models.TransientModel):
    """Close an active lease at the end of its term, once its whole schedule is paid: the
    deposit held goes back to the lessee through a credit note (refunded, or applied to the open
    invoices of the lease) and the leased items become the lessee's."""

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
        self._do_close()
        return {"type": "ir.actions.act_window_close"}

    def _do_close(self):
        """Close the contract: the whole schedule is paid; the deposit held goes back to the
        lessee through a credit note, which ``apply`` also reconciles with the open invoices of
        the lease."""
        self.ensure_one()
        contract = self.contract_id
        if self.deposit_action not in dict(DEPOSIT_ACTIONS):
            raise UserError(self.env._("Choose whether to refund the deposit or to apply it to the open invoices."))
        contract._check_end_of_term()
        currency = contract.currency_id
        deposit = currency.round(contract.deposit_held)
        refund = self.env["account.move"]
        if currency.compare_amounts(deposit, 0.0) > 0:
            contract._check_accounting_setup("deposit_refund")
            today = fields.Date.context_today(self)
            # A lease document, which only the system tags: the closing rights are checked.
            refund_sudo = (
                self.env["account.move"]
                .sudo()
                .with_context(mail_create_nolog=True)
                .create(contract._prepare_deposit_refund_vals(deposit, today))
            )
            refund_sudo.action_post()
            refund = refund_sudo.sudo(False)
            contract._write_system({"deposit_refund_id": refund.id})
            if self.deposit_action == "apply":
                contract._allocate_payments()
        # The last posting of the lease: no exchange cent may stay in its receivable.
        contract._clear_exchange_rounding(fields.Date.context_today(self))
        contract.invalidate_recordset(LEDGER_FIGURES)
        contract._write_system({"state": "closed"})
        if not refund:
            note = self.env._("No deposit was held.")
        elif self.deposit_action == "apply":
            note = self.env._(
                "The deposit held (%(amount)s) is credited by %(refund)s and applied to the open invoices; "
                "what is left is the lessee's to refund.",
                amount=formatLang(self.env, deposit, currency_obj=currency),
                refund=refund.display_name,
            )
        else:
            note = self.env._(
                "The deposit held (%(amount)s) is credited by %(refund)s, to refund to the lessee.",
                amount=formatLang(self.env, deposit, currency_obj=currency),
                refund=refund.display_name,
            )
        contract._transfer_ownership(
            self.env._("Closed at the end of its term, the whole schedule paid. %(note)s", note=note)
        )
        return refund
