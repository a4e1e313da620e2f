from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        """A paid-off lease closes when its last invoice is paid. Odoo calls this hook on the
        invoices that have just become paid, by a reconciliation or when posted at zero, in one
        batch."""
        result = super()._invoice_paid_hook()
        self._leasing_close_paid_off()
        return result

    def _leasing_close_paid_off(self):
        """Close the paid-off leases of these invoices once all their invoices are paid."""
        # The payment is often registered by an accountant without leasing rights; the closing
        # follows from the ledger alone, so the leases are read and closed as superuser.
        contracts_sudo = self.sudo().leasing_contract_id.filtered(lambda c: c.state == "active" and c.payoff_invoice_id)
        if contracts_sudo:
            contracts_sudo._close_paid_off()
