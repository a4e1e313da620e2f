from odoo import api, fields, models

# What a stage means to the code (the close, the promises, the requests): the default stages carry
# one each; a company may add its own stages between them, which mean nothing to the code.
STAGE_KEYS = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("contacted", "Contacted"),
    ("promise", "Promise to Pay"),
    ("legal", "Legal"),
    ("resolved", "Resolved"),
    ("written_off", "Written Off"),
]
# Stages where a case is over: the lease is current again, or its debt was written off.
CLOSED_STAGE_KEYS = ("resolved", "written_off")


class LeasingCollectionStage(models.Model):
    """A step of a collection case, shared by the companies (as Odoo's CRM stages are)."""

    _name = "leasing.collection.stage"
    _description = "Collection Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban", help="Cases in a folded stage are out of the daily list.")
    stage_key = fields.Selection(
        STAGE_KEYS,
        string="Meaning",
        help="What the stage means to the close and the requests: the case is moved here when that happens. "
        "Empty for a company's own intermediate stages.",
    )
    is_closed = fields.Boolean(
        string="Case Closed", help="A case in this stage is over: it is no longer the lease's open case."
    )

    _sql_constraints = [
        ("stage_key_unique", "UNIQUE(stage_key)", "Each meaning belongs to one stage only."),
    ]

    @api.model
    def _by_key(self, key):
        """The stage that means ``key`` (see STAGE_KEYS)."""
        return self.search([("stage_key", "=", key)], limit=1)
