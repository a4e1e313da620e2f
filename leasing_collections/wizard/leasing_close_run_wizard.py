from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from ..models.leasing_contract import CLOSE_CHUNK_SIZE

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"


class LeasingCloseRunWizard(models.TransientModel):
    _name = "leasing.close.run.wizard"
    _description = "Run the Collections Close"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    date = fields.Date(
        string="Close Date",
        required=True,
        default=fields.Date.context_today,
        help="The figures are worked out as of this day: days past due, buckets and penalty interest.",
    )

    def action_run(self):
        """Close the company's leases now, as of the date, and show the log of the run."""
        self.ensure_one()
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager can run the collections close."))
        self.check_access("write")
        today = fields.Date.context_today(self)
        if self.date > today:
            raise UserError(
                self.env._(
                    "The close cannot run for %(date)s, a day still to come: the ledger does not know yet what "
                    "will be paid by then. Choose today (%(today)s) or an earlier day.",
                    date=format_date(self.env, self.date),
                    today=format_date(self.env, today),
                )
            )
        Run = self.env["leasing.close.run"]
        last = Run.search([("company_id", "=", self.company_id.id), ("state", "=", "done")], order="date desc", limit=1)
        if last and self.date < last.date:
            raise UserError(
                self.env._(
                    "%(company)s was already closed for %(last)s: a close runs for that day or a later one, so "
                    "that the aging history only moves forward.",
                    company=self.company_id.name,
                    last=format_date(self.env, last.date),
                )
            )
        # The close writes what only the system sets (the leases' figures, their history, the
        # log), after the checks above.
        run_sudo = Run.sudo()._create_manual(self.company_id, self.date)
        run_sudo._run_all(CLOSE_CHUNK_SIZE)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Log"),
            "res_model": "leasing.close.run",
            "res_id": run_sudo.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
