from odoo import api, fields, models
from odoo.exceptions import UserError

DISCONTINUE_FIELDS = frozenset({"discontinued", "discontinued_date", "discontinue_reason"})


class LeasingContractLine(models.Model):
    """A leased item discontinued during the lease (returned, quality problem): marked here by
    the Discontinue Item wizard, which also takes its share out of the schedule and the ledger."""

    _inherit = "leasing.contract.line"

    discontinued = fields.Boolean(readonly=True, copy=False)
    discontinued_date = fields.Date(readonly=True, copy=False)
    discontinue_reason = fields.Text(readonly=True, copy=False)

    def write(self, vals):
        if DISCONTINUE_FIELDS.intersection(vals):
            if not self.env.context.get("leasing_terms_change"):
                raise UserError(
                    self.env._("Use Discontinue Item on the active contract to mark a leased item as returned.")
                )
            if DISCONTINUE_FIELDS.issuperset(vals):
                # Marking the item changes none of the terms the schedule is built from (the wizard
                # has rescheduled it): neither the items lock of an active contract nor a rebuild
                # of its schedule applies.
                return super(LeasingContractLine, self.with_context(leasing_skip_schedule=True)).write(vals)
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("leasing_terms_change") and any(
            vals.get(name) for vals in vals_list for name in DISCONTINUE_FIELDS
        ):
            raise UserError(self.env._("A new leased item cannot be discontinued already."))
        return super().create(vals_list)

    def action_open_discontinue_wizard(self):
        self.ensure_one()
        return self.contract_id._reschedule_open_wizard(
            "leasing.discontinue.wizard", self.env._("Discontinue Item"), default_line_id=self.id
        )
