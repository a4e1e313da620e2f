from odoo import api, models


class LeasingContractTermMixin(models.AbstractModel):
    """A part of a contract's terms (a leased item, a fee): editable while the terms are, and
    every change rebuilds the contract's schedule in one batch. Its read-only fields are the
    system's (``leasing.system.fields.mixin``)."""

    _name = "leasing.contract.term.mixin"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Part of a Lease Contract's Terms"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        records = super(LeasingContractTermMixin, self._without_system_defaults()).create(vals_list)
        if not self.env.su:
            records.contract_id._check_items_editable()
        records.contract_id._generate_schedule()
        return records

    def write(self, vals):
        self._check_system_fields([vals])
        contracts = self.contract_id
        if vals.get("contract_id"):
            contracts |= contracts.browse(vals["contract_id"])
        if not self.env.su:
            contracts._check_items_editable()
        result = super().write(vals)
        contracts._generate_schedule()
        return result

    def unlink(self):
        contracts = self.contract_id
        if not self.env.su:
            contracts._check_items_editable()
        result = super().unlink()
        contracts.exists()._generate_schedule()
        return result
