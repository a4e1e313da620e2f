from odoo import fields, models


class LeasingPayoffWizard(models.TransientModel):
    _inherit = "leasing.payoff.wizard"

    def _penalty_as_of(self):
        """The day the payoff's penalty interest runs to: the payoff date, or today when the
        payoff date lies ahead (days not yet run are not charged: the close bills them if they
        come to owe it)."""
        self.ensure_one()
        return min(self.payoff_date, fields.Date.context_today(self))

    def _penalty_lines(self):
        """The penalty interest of the late instalments accrued to the payoff date (by the
        penalty engine, from the ledger) and neither invoiced nor waived: one line each, on the
        plan's penalty income account and taxes, linked to its instalment."""
        lines = super()._penalty_lines()
        contract = self.contract_id
        if not contract.id or not self.payoff_date or contract.state != "active":
            return lines
        as_of = self._penalty_as_of()
        rows = contract._leasing_penalty_rows(contract._leasing_penalty_accrued_to(as_of), as_of)
        plan = contract.plan_id
        return lines + [
            {
                "label": line._leasing_penalty_label(start, end),
                "account": plan.penalty_account_id,
                "amount": amount,
                "taxes": plan.penalty_tax_ids,
                "vals": {"leasing_penalty_line_id": line.id},
            }
            for line, amount, start, end in rows
        ]

    def _do_payoff(self):
        # The close and the other billings of the lease wait: the quote reads the ledger once
        # the lease is locked, so no day of penalty is billed twice.
        self.contract_id._leasing_lock_for_penalty()
        return super()._do_payoff()

    def _prepare_invoice_vals(self, quote, deposit_amount):
        vals = super()._prepare_invoice_vals(quote, deposit_amount)
        if quote.get("penalty_lines"):
            vals["leasing_penalty_date"] = self._penalty_as_of()
        return vals
