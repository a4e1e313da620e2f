from odoo import models
from odoo.exceptions import UserError

# States a contract can be cancelled from in a batch: not yet approved.
BATCH_CANCEL_STATES = ("draft", "review")


class LeasingContract(models.Model):
    _inherit = "leasing.contract"

    def action_batch_cancel(self):
        """Cancel the selected draft contracts and those under review, in one write.

        Nothing is changed when any selected contract is approved or beyond: those are cancelled
        one by one by a Leasing Manager from their form (or go on to run their course). Contracts
        already cancelled are left as they are."""
        refused = self.filtered(lambda c: c.state not in BATCH_CANCEL_STATES + ("cancelled",))
        if refused:
            raise UserError(
                self.env._(
                    "Only draft contracts and contracts under review can be cancelled together. Remove these "
                    "from the selection (an approved contract is cancelled from its own form by a Leasing "
                    "Manager): %(contracts)s",
                    contracts=", ".join(f"{c.name} ({c._state_label()})" for c in refused),
                )
            )
        to_cancel = self.filtered(lambda c: c.state in BATCH_CANCEL_STATES)
        if to_cancel:
            to_cancel.action_cancel()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if to_cancel else "info",
                "message": self.env._("%(count)s lease contracts cancelled.", count=len(to_cancel)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
