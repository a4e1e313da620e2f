from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The instalment whose penalty interest this invoice line bills (or credits back): set by
    # the penalty billing, the payoff and the waivers, never by hand (leasing_management's
    # account.move.line refuses the fields only the system sets). The schedule line's
    # penalty_invoiced is the sum of its posted lines.
    leasing_penalty_line_id = fields.Many2one(
        "leasing.schedule.line",
        string="Penalty of Instalment",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
