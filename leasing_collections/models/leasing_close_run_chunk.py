from odoo import api, fields, models


class LeasingCloseRunChunk(models.Model):
    """What one transaction of a close did: the leases it closed and their figures. A run's
    figures are the sums of its chunks', so that workers sharing a run never write one row."""

    _name = "leasing.close.run.chunk"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Collections Close Chunk"
    _order = "run_id desc, id"

    run_id = fields.Many2one("leasing.close.run", string="Close", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    started = fields.Datetime(readonly=True)
    ended = fields.Datetime(readonly=True)
    contract_count = fields.Integer(string="Leases", readonly=True, help="Leases closed, or skipped on an error.")
    retry_count = fields.Integer(
        string="Left to a Later Call",
        readonly=True,
        help="Leases another transaction was changing: the next call of the close closes them.",
    )
    overdue_contract_count = fields.Integer(string="Leases Overdue", readonly=True)
    overdue_line_count = fields.Integer(string="Instalments Overdue", readonly=True)
    bucket_change_count = fields.Integer(string="Bucket Changes", readonly=True)
    amount_overdue = fields.Monetary(readonly=True)
    penalty_accrued = fields.Monetary(readonly=True)
    penalty_due = fields.Monetary(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingCloseRunChunk, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
