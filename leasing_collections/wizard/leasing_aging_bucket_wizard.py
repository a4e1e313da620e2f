from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import Bucket, bucket_problems

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"


class LeasingAgingBucketWizard(models.TransientModel):
    """Edit a company's aging buckets together: moving the end of one bucket moves the start of
    the next, which saving them one at a time would refuse in between."""

    _name = "leasing.aging.bucket.wizard"
    _description = "Edit the Aging Buckets"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    line_ids = fields.One2many(
        "leasing.aging.bucket.wizard.line",
        "wizard_id",
        string="Buckets",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("company_id")
    def _compute_line_ids(self):
        for wizard in self:
            buckets = self.env["leasing.aging.bucket"].search([("company_id", "=", wizard.company_id.id)])
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {
                        "bucket_id": bucket.id,
                        "name": bucket.name,
                        "min_days": bucket.min_days,
                        "max_days": bucket.max_days,
                        "open_ended": bucket.open_ended,
                    }
                )
                for bucket in buckets
            ]

    def action_apply(self):
        """Save the buckets as edited, all together, once they make a valid set."""
        self.ensure_one()
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager can change the aging buckets."))
        Bucket_ = self.env["leasing.aging.bucket"]
        lines = self.line_ids.sorted(lambda line: (line.min_days, line.id))
        problems = bucket_problems(
            [Bucket(line.id, line.min_days, None if line.open_ended else line.max_days) for line in lines]
        )
        if problems:
            raise ValidationError(
                self.env._(
                    "These aging buckets are not valid: %(problems)s",
                    problems=" ".join(Bucket_._problem_messages(problems, {line.id: line.name for line in lines})),
                )
            )
        Bucket_._apply_set(
            self.company_id,
            [
                {
                    "bucket": line.bucket_id,
                    "name": line.name,
                    "min_days": line.min_days,
                    "max_days": 0 if line.open_ended else line.max_days,
                    "open_ended": line.open_ended,
                }
                for line in lines
            ],
        )
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def action_open(self):
        """The editor, on the current company's buckets."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Edit the Aging Buckets"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }


class LeasingAgingBucketWizardLine(models.TransientModel):
    _name = "leasing.aging.bucket.wizard.line"
    _description = "Aging Bucket to Save"
    _order = "min_days, id"

    wizard_id = fields.Many2one("leasing.aging.bucket.wizard", required=True, ondelete="cascade")
    bucket_id = fields.Many2one("leasing.aging.bucket", string="Bucket")
    name = fields.Char(required=True)
    min_days = fields.Integer(string="From (days)", required=True)
    max_days = fields.Integer(string="To (days)")
    open_ended = fields.Boolean(string="No Upper Limit")
