from odoo import fields, models
from odoo.exceptions import UserError

from .leasing_contract import TERMS_EDITABLE_STATES


class LeasingContract(models.Model):
    _inherit = "leasing.contract"

    intermediary_ids = fields.One2many(
        "leasing.contract.intermediary", "contract_id", string="Intermediaries", copy=True
    )
    commission_ids = fields.One2many("leasing.commission", "contract_id", string="Commissions", readonly=True)
    commission_count = fields.Integer(compute="_compute_commission_count")

    def _compute_commission_count(self):
        counts = dict(
            self.env["leasing.commission"]._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"])
        )
        for contract in self:
            contract.commission_count = counts.get(contract, 0)

    def action_activate(self):
        result = super().action_activate()
        self._create_commissions()
        return result

    def action_view_commissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_commission")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _check_intermediaries_editable(self):
        """The intermediaries earn by the terms: free until approval, frozen from then on."""
        for contract in self:
            if contract.state not in TERMS_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The intermediaries of %(contract)s can no longer be changed: it is %(state)s.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )

    def _create_commissions(self):
        """Draft commissions of the intermediaries of these newly active contracts, by their
        plan's rule for each role, in one create. An intermediary whose role has no rule on the
        plan, or whose rule gives nothing, earns nothing."""
        rules = {(rule.plan_id, rule.role): rule for rule in self.plan_id.commission_ids}
        today = fields.Date.context_today(self)
        vals_list = []
        for contract in self:
            for intermediary in contract.intermediary_ids:
                rule = rules.get((contract.plan_id, intermediary.role))
                if not rule:
                    continue
                amount = rule._commission_for(contract)
                if contract.currency_id.is_zero(amount):
                    continue
                vals_list.append(
                    {
                        "contract_id": contract.id,
                        "intermediary_id": intermediary.id,
                        "partner_id": intermediary.partner_id.id,
                        "role": intermediary.role,
                        "date": contract.activated_date or today,
                        "basis": rule.basis,
                        "rate": rule.rate if rule.basis == "percent" else 0.0,
                        "base_amount": contract.financed_amount,
                        "amount": amount,
                    }
                )
        return self.env["leasing.commission"].create(vals_list)
