from odoo import api, fields, models


class LeasingContractFee(models.Model):
    _name = "leasing.contract.fee"
    _inherit = ["leasing.contract.term.mixin"]
    _description = "Lease Contract Fee"
    _order = "contract_id, sequence, id"

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    sequence = fields.Integer(default=10)
    fee_type_id = fields.Many2one("leasing.fee.type", string="Fee Type", required=True, ondelete="restrict")
    amount = fields.Monetary()
    financed = fields.Boolean(
        compute="_compute_financed",
        store=True,
        readonly=False,
        precompute=True,
        help="Financed fees are added to the amount financed; the others are paid up front.",
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A contract fee cannot be negative."),
    ]

    @api.depends("fee_type_id")
    def _compute_financed(self):
        for fee in self:
            plan_fees = {plan_fee.fee_type_id: plan_fee for plan_fee in fee.contract_id.plan_id.fee_ids}
            plan_fee = plan_fees.get(fee.fee_type_id)
            fee.financed = plan_fee.financed if plan_fee else fee.fee_type_id.financed
