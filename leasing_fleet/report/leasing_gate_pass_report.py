from odoo import api, models
from odoo.exceptions import UserError


class ReportLeasingGatePass(models.AbstractModel):
    """Every rendering of a gate pass is a print: the first is the original, the next ones
    are marked COPY."""

    _name = "report.leasing_fleet.report_leasing_gate_pass"
    _description = "Gate Pass Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        passes = self.env["leasing.gate.pass"].browse(docids)
        passes.request_id._check_gate_pass_rights()
        revoked = passes.filtered(lambda p: p.state == "revoked")
        if revoked:
            raise UserError(
                self.env._(
                    "%(passes)s revoked: a revoked gate pass is not printed.",
                    passes=", ".join(revoked.mapped("name")),
                )
            )
        copies = passes._mark_printed()
        return {
            "doc_ids": passes.ids,
            "doc_model": "leasing.gate.pass",
            "docs": passes,
            "copies": copies,
        }
