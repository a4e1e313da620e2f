from odoo import api, fields, models


class LeasingContractLine(models.Model):
    _name = "leasing.contract.line"
    _inherit = ["leasing.contract.term.mixin"]
    _description = "Leased Item"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product", string="Item", required=True, check_company=True, domain=[("leasing_ok", "=", True)]
    )
    name = fields.Text(string="Description", compute="_compute_name", store=True, readonly=False, precompute=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Monetary(
        string="Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_price_subtotal", store=True, precompute=True)
    discontinued = fields.Boolean(readonly=True, copy=False)
    discontinued_date = fields.Date(readonly=True, copy=False)
    discontinue_reason = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity of a leased item must be positive."),
        ("price_positive", "CHECK(price_unit >= 0)", "The price of a leased item cannot be negative."),
    ]

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            line.name = line.product_id.display_name or line.name

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id and not line.price_unit:
                line.price_unit = line.product_id.lst_price

    @api.depends("quantity", "price_unit", "currency_id")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.currency_id.round(line.quantity * line.price_unit)

    def action_open_discontinue_wizard(self):
        self.ensure_one()
        return self.contract_id._reschedule_open_wizard(
            "leasing.discontinue.wizard", self.env._("Discontinue Item"), default_line_id=self.id
        )
