from odoo import api, fields, models


class LeasingContract(models.Model):
    _inherit = "leasing.contract"

    # ------------------------------------------------------------------
    # Dispatch (dispatch requests, the signed contract and the plan's documents)
    # ------------------------------------------------------------------
    signed_document = fields.Binary(
        string="Signed Contract",
        attachment=True,
        copy=False,
        help="The contract as the lessee signed it (a scan or the signed PDF): its units are dispatched only "
        "once it is attached and the signing date set.",
    )
    signed_document_name = fields.Char(string="Signed Contract File Name", copy=False)
    document_ids = fields.One2many("leasing.contract.document", "contract_id", string="Documents", copy=False)
    dispatch_request_ids = fields.One2many(
        "leasing.dispatch.request", "contract_id", string="Dispatch Requests", readonly=True
    )
    dispatch_request_count = fields.Integer(compute="_compute_dispatch_request_count")

    @api.depends("dispatch_request_ids")
    def _compute_dispatch_request_count(self):
        counts = dict(
            self.env["leasing.dispatch.request"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.dispatch_request_count = counts.get(contract, 0)

    @api.constrains("state")
    def _check_leasing_units_free(self):
        """A unit is on one open lease (approved or active) at a time."""
        self.filtered(lambda contract: contract.state in ("approved", "active")).line_ids._check_leasing_unit_free()

    def write(self, vals):
        result = super().write(vals)
        if {"state", "ownership_transferred_date"}.intersection(vals):
            # Approved, active, closed, ownership passed: the units' status follows their lease.
            self.line_ids.lot_id._leasing_recompute_status()
        return result

    def action_view_dispatch_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_fleet.action_leasing_dispatch_request")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id}
        return action

    def _missing_dispatch_documents(self):
        """{contract: names of the plan's required documents it has no file for}."""
        attached = {
            (document.contract_id, document.plan_document_id) for document in self.document_ids if document.attached
        }
        return {
            contract: tuple(
                plan_document.name
                for plan_document in contract.plan_id.document_ids
                if plan_document.required and (contract, plan_document) not in attached
            )
            for contract in self
        }
