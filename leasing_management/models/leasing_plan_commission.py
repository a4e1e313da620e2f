from odoo import api, fields, models

from ..tools import commission_amount
from .leasing_commission import COMMISSION_BASES, COMMISSION_ROLES


class LeasingPlanCommission(models.Model):
    _name = "leasing.plan.commission"
    _description = "Financing Plan Commission Rule"
    _order = "plan_id, role, id"

    plan_id = fields.Many2one("leasing.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    role = fields.Selection(COMMISSION_ROLES, required=True, default="dealer")
    basis = fields.Selection(COMMISSION_BASES, required=True, default="percent")
    rate = fields.Float(string="Rate (%)", digits=(16, 4), help="Percentage of the financed amount paid as commission.")
    amount = fields.Monetary(
        string="Fixed Amount", currency_field="currency_id", help="Paid per contract, in the plan's currency."
    )

    _sql_constraints = [
        ("plan_role_uniq", "unique(plan_id, role)", "A plan has one commission rule per role."),
        ("rate_range", "CHECK(rate >= 0 AND rate <= 100)", "A commission rate must lie between 0 and 100 %."),
        ("amount_positive", "CHECK(amount >= 0)", "A fixed commission cannot be negative."),
    ]

    @api.depends("role", "basis", "rate", "amount")
    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for rule in self:
            if rule.basis == "percent":
                figure = f"{rule.rate:g} %"
            else:
                figure = rule.currency_id.format(rule.amount) if rule.currency_id else str(rule.amount)
            rule.display_name = f"{roles.get(rule.role, '')}: {figure}"

    def _commission_for(self, contract):
        """Commission this rule gives on ``contract``, in the contract's currency."""
        self.ensure_one()
        currency = contract.currency_id
        fixed = self.amount
        if self.basis == "fixed" and self.currency_id != currency:
            fixed = self.currency_id._convert(
                fixed, currency, contract.company_id, contract.activated_date or fields.Date.context_today(self)
            )
        return commission_amount(
            self.basis, contract.financed_amount, rate=self.rate, fixed_amount=fixed, rounding=currency.round
        )
