from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # The journal entry that takes a returned item's share out of the net investment in the lease.
    leasing_move_kind = fields.Selection(
        selection_add=[("discontinue", "Discontinued Item Entry")], ondelete={"discontinue": "set null"}
    )
