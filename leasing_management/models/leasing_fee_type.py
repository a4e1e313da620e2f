from odoo import fields, models


class LeasingFeeType(models.Model):
    _name = "leasing.fee.type"
    _description = "Lease Fee Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short reference used in reports and integrations.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to share the fee type between companies.")
    financed = fields.Boolean(
        string="Financed by Default",
        default=True,
        help="Financed fees are added to the amount financed and repaid with the instalments; "
        "the others are paid up front by the lessee.",
    )
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "A fee type code must be unique per company."),
    ]
