from odoo import api, models


class LeasingContractTermMixin(models.AbstractModel):
    """A part of a contract's terms (a leased item, a fee): editable while the terms are, and
    every change rebuilds the contract's schedule in one batch."""

    _name = "leasing.contract.term.mixin"
    _description = "Part of a Lease Contract's Terms"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.contract_id._check_items_editable()
        records.contract_id._generate_schedule()
        return records

    def write(self, vals):
        self.contract_id._check_items_editable()
        result = super().write(vals)
        self.contract_id._generate_schedule()
        return result

    def unlink(self):
        contracts = self.contract_id
        contracts._check_items_editable()
        result = super().unlink()
        contracts.exists()._generate_schedule()
        return result
