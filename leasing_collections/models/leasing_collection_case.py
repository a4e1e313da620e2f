from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent"), ("3", "Critical")]
CONTACT_RESULTS = [
    ("no_answer", "No Answer"),
    ("wrong_number", "Wrong Number"),
    ("promised", "Promised to Pay"),
    ("refused", "Refused to Pay"),
    ("paid", "Paid"),
    ("dispute", "Dispute"),
    ("asked_time", "Asked for Time"),
    ("other", "Other"),
]


class LeasingCollectionCase(models.Model):
    """The follow-up of one lease in arrears by the collection team: who works it, where it
    stands, and everything done about it (contacts, promises, requests, the legal file).

    A lease has at most one open case (a partial unique index). The daily close opens it when the
    lease's days past due reach the company's threshold and resolves it when the lease is current
    again; it also copies the lease's figures of the day onto the case, so that cases are sorted,
    grouped and reported by them."""

    _name = "leasing.collection.case"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Collection Case"
    _order = "priority desc, next_action_date, days_past_due desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True, index=True)
    guarantor_ids = fields.Many2many(related="contract_id.guarantor_ids", string="Guarantors")
    account_manager_id = fields.Many2one(related="contract_id.user_id", string="Account Manager")
    collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        readonly=True,
        index=True,
        tracking=True,
        help="Set by the dispatch: the collector who works the case.",
    )
    team_id = fields.Many2one(
        "leasing.collection.team",
        string="Collection Team",
        readonly=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Set by the dispatch: its leader sees the case too.",
    )
    stage_id = fields.Many2one(
        "leasing.collection.stage",
        string="Stage",
        required=True,
        index=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env["leasing.collection.stage"]._by_key("new"),
        ondelete="restrict",
    )
    stage_key = fields.Selection(related="stage_id.stage_key", store=True)
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True, string="Closed")
    priority = fields.Selection(PRIORITIES, default="0", tracking=True, index=True)
    opened_date = fields.Date(string="Opened On", readonly=True, default=fields.Date.context_today)
    closed_date = fields.Date(string="Closed On", readonly=True)
    next_action_date = fields.Date(tracking=True, index=True)
    # The lease's figures of the last close, copied by the close (see the class's docstring).
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    aging_bucket_id = fields.Many2one("leasing.aging.bucket", string="Aging Bucket", readonly=True, index=True)
    amount_overdue = fields.Monetary(readonly=True, aggregator="sum")
    penalty_due = fields.Monetary(readonly=True, aggregator="sum")
    outstanding_principal = fields.Monetary(related="contract_id.outstanding_principal")
    last_contact_date = fields.Datetime(readonly=True, help="Of the case's last contact log.")
    last_contact_result = fields.Selection(CONTACT_RESULTS, readonly=True)

    _sql_constraints = [
        ("name_unique", "UNIQUE(name, company_id)", "A collection case's reference is unique in its company."),
    ]

    def init(self):
        # One open case per lease, whoever opens it (the close or a manager, maybe both at once).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS leasing_collection_case_one_open_per_contract
                ON leasing_collection_case (contract_id) WHERE NOT is_closed
            """
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        Contract = self.env["leasing.contract"]
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("contract_id"):
                company = Contract.browse(vals["contract_id"]).company_id
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("leasing.collection.case") or "/"
                )
        return super(LeasingCollectionCase, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Legal stage
    # ------------------------------------------------------------------
    legal_action_ids = fields.One2many("leasing.legal.action", "case_id", string="Legal Files")
    legal_action_count = fields.Integer(compute="_compute_legal_action_count", string="Legal Files Count")

    def _compute_legal_action_count(self):
        counts = dict(
            self.env["leasing.legal.action"]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
        )
        for case in self:
            case.legal_action_count = counts.get(case, 0)

    @api.constrains("stage_id")
    def _check_legal_file(self):
        # Whether the case has a legal file at all, whoever moves it (a collector may not see
        # the files of a case that is not theirs): a plain existence check.
        cases_sudo = self.sudo().filtered(lambda case: case.stage_key == "legal" and not case.legal_action_ids)
        if cases_sudo:
            raise ValidationError(
                self.env._(
                    "%(cases)s: a case goes to the Legal stage with a legal file: open one with the Open Legal File "
                    "button.",
                    cases=", ".join(cases_sudo.mapped("name")),
                )
            )

    def action_open_legal_file(self):
        """Take this case to court: its open legal file (a new one when it has none), and the
        case in the Legal stage."""
        self.ensure_one()
        if not self.env.user.has_group("leasing_collections.group_leasing_collection_manager"):
            raise AccessError(self.env._("Taking a case to court is for the Collection Managers."))
        if self.is_closed:
            raise UserError(
                self.env._(
                    "%(case)s is closed (%(stage)s): it cannot go to court.", case=self.name, stage=self.stage_id.name
                )
            )
        legal_file = self.legal_action_ids.filtered(lambda action: action.state != "closed")[:1]
        if not legal_file:
            # The file's case is the system's (set here only): created as superuser once the
            # rights and the case are checked; it claims what the lease owes by its last close.
            legal_file = (
                self.env["leasing.legal.action"]
                .sudo()
                .create(
                    {
                        "case_id": self.id,
                        "claimed_amount": self.currency_id.round(self.amount_overdue + self.penalty_due),
                    }
                )
                .sudo(False)
            )
        if self.stage_key != "legal":
            self.stage_id = self.env["leasing.collection.stage"]._by_key("legal")
        return {
            "type": "ir.actions.act_window",
            "res_model": "leasing.legal.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": legal_file.id,
        }

    def action_view_legal_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_legal_action")
        action.update(
            domain=[("case_id", "=", self.id)],
            context={"create": False},
        )
        if len(self.legal_action_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.legal_action_ids.id)
        return action

    # ------------------------------------------------------------------
    # Collection requests
    # ------------------------------------------------------------------
    request_ids = fields.One2many("leasing.collection.request", "case_id", string="Requests", readonly=True)

    def action_new_request(self):
        """A new request on this case's lease, of the type the button passes in its context
        (``default_request_type``: only a default of the form), to fill in and submit."""
        self.ensure_one()
        self.check_access("read")
        self.env["leasing.collection.request"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Request"),
            "res_model": "leasing.collection.request",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_case_id": self.id,
                "default_contract_id": self.contract_id.id,
                "default_request_type": self.env.context.get("default_request_type") or "waiver",
            },
        }
