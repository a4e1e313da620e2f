from odoo import api, fields, models


class LeasingContractDocument(models.Model):
    """A document of the plan's checklist, attached to a lease (a file per line)."""

    _name = "leasing.contract.document"
    _description = "Lease Document"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    plan_document_id = fields.Many2one(
        "leasing.plan.document",
        string="Document",
        required=True,
        ondelete="restrict",
        check_company=True,
        domain="[('plan_id', '=', plan_id)]",
    )
    plan_id = fields.Many2one(related="contract_id.plan_id")
    sequence = fields.Integer(related="plan_document_id.sequence", store=True)
    file = fields.Binary(attachment=True, copy=False)
    file_name = fields.Char()
    attached = fields.Boolean(compute="_compute_attached", store=True)

    _sql_constraints = [
        (
            "document_uniq",
            "unique(contract_id, plan_document_id)",
            "A document of the plan's checklist is attached once per lease: replace its file instead.",
        ),
    ]

    @api.depends("file")
    def _compute_attached(self):
        for document in self:
            document.attached = bool(document.file)
