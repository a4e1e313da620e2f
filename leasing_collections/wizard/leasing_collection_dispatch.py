from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.dispatch import BY_AMOUNT, BY_COUNT, Load, spread

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"


class LeasingCollectionDispatch(models.TransientModel):
    """The dispatch (派工) of collection cases from the office: all to one collector, or spread
    evenly across a team's collectors by number of cases or by amount overdue
    (``tools/dispatch.py``), counting what each already works. A case still New becomes
    Assigned; the case's chatter records who had it and who has it now, and its collector gets a
    to-do. Collection Managers dispatch every case; a team leader, the cases of their team to its
    members."""

    _name = "leasing.collection.dispatch"
    _description = "Dispatch Collection Cases"

    case_ids = fields.Many2many(
        "leasing.collection.case",
        string="Cases",
        required=True,
        default=lambda self: self._default_case_ids(),
    )
    case_count = fields.Integer(compute="_compute_case_count")
    assign_to = fields.Selection(
        [("collector", "One Collector"), ("team", "A Team's Collectors")],
        required=True,
        default="collector",
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        domain=lambda self: [("groups_id", "in", self.env.ref("leasing_collections.group_leasing_collector").ids)],
    )
    team_id = fields.Many2one(
        "leasing.collection.team",
        string="Team",
        help="With one collector: the team the cases belong to (by default the collector's). "
        "Spread: the team whose collectors share the cases.",
    )
    spread_by = fields.Selection(
        [(BY_COUNT, "Number of Cases"), (BY_AMOUNT, "Amount Overdue")],
        default=BY_COUNT,
        required=True,
        help="Number of cases: each collector ends up with as many open cases as possible. Amount overdue: with "
        "as much overdue as possible. The largest cases are given first, each to the collector with the least.",
    )

    @api.model
    def _default_case_ids(self):
        context = self.env.context
        if context.get("active_model") == "leasing.collection.case" and context.get("active_ids"):
            return [fields.Command.set(context["active_ids"])]
        return []

    @api.depends("case_ids")
    def _compute_case_count(self):
        for wizard in self:
            wizard.case_count = len(wizard.case_ids)

    @api.onchange("collector_id")
    def _onchange_collector_id(self):
        if self.assign_to == "collector" and self.collector_id and not self.team_id:
            self.team_id = self._team_of(self.collector_id)

    def _team_of(self, user):
        """The team ``user`` belongs to (as a member or its leader), if one."""
        Team = self.env["leasing.collection.team"]
        return Team.search(["|", ("member_ids", "in", user.ids), ("leader_id", "=", user.id)], limit=1)

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    def action_dispatch(self):
        self.ensure_one()
        cases = self.case_ids
        self._check_dispatch(cases)
        team = self.team_id
        if self.assign_to == "collector":
            assignment = dict.fromkeys(cases.ids, self.collector_id.id)
            team = team or self._team_of(self.collector_id)
        else:
            members = self.team_id.member_ids.sorted("id")
            loads = self._current_loads(members, cases)
            assignment = spread([(case.id, case.amount_overdue) for case in cases], members.ids, self.spread_by, loads)
        self._assign(cases, assignment, team)
        return {"type": "ir.actions.act_window_close"}

    def _check_dispatch(self, cases):
        """Refuse what cannot be dispatched, before anything is written."""
        user = self.env.user
        if not cases:
            raise UserError(self.env._("Choose the cases to dispatch."))
        closed = cases.filtered("is_closed")
        if closed:
            raise UserError(
                self.env._(
                    "%(cases)s is closed: only open cases are dispatched.", cases=", ".join(closed.mapped("name"))
                )
            )
        if self.assign_to == "collector" and not self.collector_id:
            raise UserError(self.env._("Choose the collector to give the cases to."))
        if self.assign_to == "team":
            if not self.team_id:
                raise UserError(self.env._("Choose the team whose collectors share the cases."))
            if not self.team_id.member_ids:
                raise UserError(
                    self.env._("%(team)s has no collector to share the cases.", team=self.team_id.display_name)
                )
        if not user.has_group(COLLECTION_MANAGER):
            # A team leader dispatches their team's cases among their team.
            led = self.env["leasing.collection.team"].search([("leader_id", "=", user.id)])
            team = self.team_id or cases.team_id
            allowed = (
                led
                and all(case.team_id in led for case in cases)
                and len(team) == 1
                and team in led
                and (self.assign_to == "team" or self.collector_id in team.member_ids | team.leader_id)
            )
            if not allowed:
                raise AccessError(
                    self.env._(
                        "Only a Collection Manager dispatches collection cases; a team leader dispatches their "
                        "team's cases among its collectors."
                    )
                )
        cases.check_access("write")
        users = self.collector_id if self.assign_to == "collector" else self.team_id.member_ids
        for collector in users:
            outside = cases.filtered(lambda case, collector=collector: case.company_id not in collector.company_ids)
            if outside:
                raise UserError(
                    self.env._(
                        "%(collector)s does not work for %(company)s: %(cases)s cannot be given to them.",
                        collector=collector.name,
                        company=outside[0].company_id.name,
                        cases=", ".join(outside.mapped("name")),
                    )
                )
        if self.team_id:
            outside = cases.filtered(lambda case: case.company_id != self.team_id.company_id)
            if outside:
                raise UserError(
                    self.env._(
                        "%(team)s works for %(company)s: %(cases)s belongs to another company.",
                        team=self.team_id.display_name,
                        company=self.team_id.company_id.name,
                        cases=", ".join(outside.mapped("name")),
                    )
                )

    def _current_loads(self, members, cases):
        """{user id: Load}: the open cases each of ``members`` already works, but ``cases``."""
        # Counted over every case, whatever the dispatcher reads: the balance is the collectors'.
        groups = (
            self.env["leasing.collection.case"]
            .sudo()
            ._read_group(
                [("collector_id", "in", members.ids), ("is_closed", "=", False), ("id", "not in", cases.ids)],
                ["collector_id"],
                ["__count", "amount_overdue:sum"],
            )
        )
        return {user.id: Load(count, amount or 0.0) for user, count, amount in groups}

    def _assign(self, cases, assignment, team):
        """Give each case of ``assignment`` ({case id: user id}) to its collector, in ``team``."""
        Users = self.env["res.users"]
        assigned = self.env["leasing.collection.stage"]._by_key("assigned")
        by_user = {}
        for case in cases:
            by_user.setdefault(assignment[case.id], self.env["leasing.collection.case"])
            by_user[assignment[case.id]] |= case
        for user_id, user_cases in by_user.items():
            changed = user_cases.filtered(lambda case, user_id=user_id: case.collector_id.id != user_id)
            vals = {"collector_id": user_id, "team_id": team.id}
            # Rights checked above (_check_dispatch): the collector and team are fields only the
            # dispatch sets; tracking writes who had the case and who has it now in its chatter.
            user_cases.sudo().write(vals)
            new = user_cases.filtered(lambda case: case.stage_key == "new")
            if new and assigned:
                new.write({"stage_id": assigned.id})
            collector = Users.browse(user_id)
            for case in changed:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=collector.id,
                    summary=self.env._("Collection case assigned to you"),
                    note=self.env._(
                        "%(case)s: %(lessee)s, %(days)s days past due.",
                        case=case.name,
                        lessee=case.partner_id.display_name,
                        days=case.days_past_due,
                    ),
                )
