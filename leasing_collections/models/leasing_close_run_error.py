from odoo import api, fields, models


class LeasingCloseRunError(models.Model):
    """A lease a close could not close: logged with the reason, skipped; the others went on.
    The next close tries it again."""

    _name = "leasing.close.run.error"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Collections Close Error"
    _order = "run_id desc, id"

    run_id = fields.Many2one("leasing.close.run", string="Close", required=True, readonly=True, ondelete="cascade")
    chunk_id = fields.Many2one("leasing.close.run.chunk", string="Chunk", readonly=True, ondelete="cascade")
    date = fields.Date(related="run_id.date", string="Close Date")
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True, ondelete="cascade")
    message = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingCloseRunError, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
