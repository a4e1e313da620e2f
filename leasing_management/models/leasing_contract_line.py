from odoo import api, fields, models
from odoo.exceptions import UserError

DISCONTINUE_FIELDS = frozenset({"discontinued", "discontinued_date", "discontinue_reason"})


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
    product_id = fields.Many2one("product.product", string="Item", required=True, check_company=True)
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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("leasing_terms_change") and any(
            vals.get(name) for vals in vals_list for name in DISCONTINUE_FIELDS
        ):
            raise UserError(self.env._("A new leased item cannot be discontinued already."))
        return super().create(vals_list)

    def write(self, vals):
        if DISCONTINUE_FIELDS.intersection(vals):
            if not self.env.context.get("leasing_terms_change"):
                raise UserError(
                    self.env._("Use Discontinue Item on the active contract to mark a leased item as returned.")
                )
            if DISCONTINUE_FIELDS.issuperset(vals):
                # Marking the item changes none of the terms the schedule is built from (the wizard
                # has rescheduled it): neither the items lock of an active contract nor a rebuild
                # of its schedule applies.
                return super(LeasingContractLine, self.with_context(leasing_skip_schedule=True)).write(vals)
        return super().write(vals)

    def action_open_discontinue_wizard(self):
        self.ensure_one()
        return self.contract_id._reschedule_open_wizard(
            "leasing.discontinue.wizard", self.env._("Discontinue Item"), default_line_id=self.id
        )
