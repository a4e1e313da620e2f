from odoo import api, fields, models


class LeasingCollectionTeam(models.Model):
    """Collectors working together under a leader, to whom cases are dispatched."""

    _name = "leasing.collection.team"
    _inherit = ["mail.thread"]
    _description = "Collection Team"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        tracking=True,
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("leasing_collections.group_leasing_collector").ids)],
        help="Sees every case of the team, and dispatches them.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "leasing_collection_team_member_rel",
        "team_id",
        "user_id",
        string="Collectors",
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("leasing_collections.group_leasing_collector").ids)],
    )
    case_ids = fields.One2many("leasing.collection.case", "team_id", string="Cases")
    case_count = fields.Integer(compute="_compute_case_count", string="Open Cases")

    @api.depends("case_ids.is_closed")
    def _compute_case_count(self):
        counts = dict(
            self.env["leasing.collection.case"]._read_group(
                [("team_id", "in", self.ids), ("is_closed", "=", False)], ["team_id"], ["__count"]
            )
        )
        for team in self:
            team.case_count = counts.get(team, 0)

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_collection_case")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"search_default_open": 1, "create": False}
        return action
