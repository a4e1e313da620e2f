from odoo import fields, models


class LeasingCreditReview(models.Model):
    _inherit = "leasing.credit.review"

    # What the lessee's other leases say of them, for the reviewer of a new one.
    lessee_payment_rating = fields.Selection(
        related="partner_id.commercial_partner_id.leasing_payment_rating",
        string="Lessee's Payment Rating",
        help="The lessee's payment rating at the last collections close, from the repayment record of all "
        "their leases (none: no lease of theirs was closed yet).",
    )
