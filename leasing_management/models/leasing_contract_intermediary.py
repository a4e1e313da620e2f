from odoo import api, fields, models

from .leasing_commission import COMMISSION_ROLES


class LeasingContractIntermediary(models.Model):
    _name = "leasing.contract.intermediary"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Lease Contract Intermediary"
    _order = "contract_id, role, id"
    _check_company_auto = True

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    state = fields.Selection(related="contract_id.state", string="Contract Status")
    partner_id = fields.Many2one(
        "res.partner", string="Intermediary", required=True, index=True, check_company=True, ondelete="restrict"
    )
    role = fields.Selection(COMMISSION_ROLES, required=True, default="dealer")
    rule_id = fields.Many2one(
        "leasing.plan.commission",
        string="Commission Rule",
        compute="_compute_rule",
        help="The plan's rule for this role; without one, the intermediary earns no commission.",
    )
    expected_amount = fields.Monetary(
        string="Expected Commission",
        compute="_compute_rule",
        currency_field="currency_id",
        help="What the plan's rule gives on the current financed amount; fixed when the contract is activated.",
    )

    _sql_constraints = [
        (
            "contract_partner_role_uniq",
            "unique(contract_id, partner_id, role)",
            "An intermediary appears once per role on a contract.",
        ),
    ]

    @api.depends("role", "contract_id.plan_id", "contract_id.financed_amount", "contract_id.currency_id")
    def _compute_rule(self):
        rules = {(rule.plan_id, rule.role): rule for rule in self.contract_id.plan_id.commission_ids}
        for intermediary in self:
            contract = intermediary.contract_id
            rule = rules.get((contract.plan_id, intermediary.role), self.env["leasing.plan.commission"])
            intermediary.rule_id = rule
            # A draft may finance nothing yet: no estimate until it does.
            finances = contract.currency_id and contract.currency_id.compare_amounts(contract.financed_amount, 0.0) > 0
            intermediary.expected_amount = rule._commission_for(contract) if rule and finances else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        intermediaries = super(LeasingContractIntermediary, self._without_system_defaults()).create(vals_list)
        intermediaries.contract_id._check_intermediaries_editable()
        return intermediaries

    def write(self, vals):
        self._check_system_fields([vals])
        self.contract_id._check_intermediaries_editable()
        result = super().write(vals)
        if "contract_id" in vals:
            self.contract_id._check_intermediaries_editable()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_terms_frozen(self):
        self.contract_id._check_intermediaries_editable()
