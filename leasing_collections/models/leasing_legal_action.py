from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"
HEARING = "leasing_collections.mail_activity_type_hearing"
LEGAL_STATES = [
    ("draft", "Draft"),
    ("filed", "Filed"),
    ("in_court", "In Court"),
    ("judgement", "Judgement"),
    ("closed", "Closed"),
]


class LeasingLegalAction(models.Model):
    """The legal file of a collection case gone to court: who acts for the lessor, where, what is
    claimed and awarded, what it costs. Hearings are activities of the "Hearing" type; the court's
    papers are its documents. Its legal costs are billed to the lessee by a customer invoice, each
    amount once (``legal_costs_billed`` is what the ledger holds)."""

    _name = "leasing.legal.action"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Legal File"
    _order = "filing_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    case_id = fields.Many2one(
        "leasing.collection.case",
        string="Collection Case",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    contract_id = fields.Many2one(
        related="case_id.contract_id", string="Lease Contract", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="case_id.partner_id", string="Lessee", store=True, index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    collector_id = fields.Many2one(related="case_id.collector_id", string="Collector")
    state = fields.Selection(
        LEGAL_STATES, string="Status", required=True, readonly=True, default="draft", tracking=True, index=True
    )
    lawyer_id = fields.Many2one(
        "res.partner", string="Lawyer / Law Firm", tracking=True, help="Who acts for the lessor in court."
    )
    court = fields.Char(tracking=True)
    court_case_number = fields.Char(tracking=True, copy=False)
    filing_date = fields.Date(tracking=True, copy=False)
    judgement_date = fields.Date(tracking=True, copy=False)
    claimed_amount = fields.Monetary(
        tracking=True, aggregator="sum", help="What the lessor claims from the lessee before the court."
    )
    awarded_amount = fields.Monetary(
        tracking=True, aggregator="sum", copy=False, help="What the judgement awards the lessor."
    )
    legal_costs = fields.Monetary(
        tracking=True,
        aggregator="sum",
        help="Court fees and lawyers' fees of the file that the lessee is to bear: billed to them by the "
        "Bill Legal Costs button.",
    )
    legal_costs_billed = fields.Monetary(
        compute="_compute_legal_costs_billed",
        store=True,
        readonly=True,
        aggregator="sum",
        help="Legal costs invoiced to the lessee: the posted invoices less their posted credit notes.",
    )
    legal_costs_to_bill = fields.Monetary(
        compute="_compute_legal_costs_billed", store=True, readonly=True, aggregator="sum", string="Left to Bill"
    )
    invoice_ids = fields.One2many(
        "account.move", "leasing_legal_action_id", string="Legal Costs Invoices", readonly=True
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count", string="Invoices")
    document_ids = fields.Many2many(
        "ir.attachment",
        "leasing_legal_action_attachment_rel",
        "legal_action_id",
        "attachment_id",
        string="Documents",
        help="The claim, the court's papers, the judgement.",
    )
    next_hearing_date = fields.Date(compute="_compute_next_hearing_date", string="Next Hearing")
    notes = fields.Html()

    _sql_constraints = [
        ("name_unique", "UNIQUE(name, company_id)", "A legal file's reference is unique in its company."),
    ]

    @api.depends("legal_costs", "invoice_ids.state", "invoice_ids.move_type", "invoice_ids.amount_untaxed")
    def _compute_legal_costs_billed(self):
        for action in self:
            currency = action.currency_id or action.company_id.currency_id
            posted = action.invoice_ids.filtered(lambda move: move.state == "posted")
            billed = sum(posted.filtered(lambda move: move.move_type == "out_invoice").mapped("amount_untaxed"))
            credited = sum(posted.filtered(lambda move: move.move_type == "out_refund").mapped("amount_untaxed"))
            action.legal_costs_billed = currency.round(billed - credited)
            action.legal_costs_to_bill = max(currency.round(action.legal_costs - action.legal_costs_billed), 0.0)

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("leasing_legal_action_id", "in", self.ids)], ["leasing_legal_action_id"], ["__count"]
            )
        )
        for action in self:
            action.invoice_count = counts.get(action, 0)

    @api.depends("activity_ids.date_deadline", "activity_ids.activity_type_id")
    def _compute_next_hearing_date(self):
        hearing = self.env.ref(HEARING, raise_if_not_found=False)
        for action in self:
            dates = action.activity_ids.filtered(lambda a: a.activity_type_id == hearing).mapped("date_deadline")
            action.next_hearing_date = min(dates, default=False)

    @api.constrains("claimed_amount", "awarded_amount", "legal_costs")
    def _check_amounts(self):
        labels = {
            "claimed_amount": self.env._("claimed amount"),
            "awarded_amount": self.env._("awarded amount"),
            "legal_costs": self.env._("legal costs"),
        }
        for action in self:
            for name, label in labels.items():
                if action.currency_id.compare_amounts(action[name], 0.0) < 0:
                    raise ValidationError(
                        self.env._(
                            "%(file)s: the %(amount)s cannot be negative (%(value)s).",
                            file=action.name,
                            amount=label,
                            value=formatLang(self.env, action[name], currency_obj=action.currency_id),
                        )
                    )

    @api.constrains("legal_costs", "legal_costs_billed")
    def _check_legal_costs_billed(self):
        for action in self:
            if action.currency_id.compare_amounts(action.legal_costs, action.legal_costs_billed) < 0:
                raise ValidationError(
                    self.env._(
                        "%(file)s: %(billed)s of legal costs are already billed to the lessee; the legal costs "
                        "cannot be lowered to %(costs)s. Issue a credit note of the legal costs invoice first.",
                        file=action.name,
                        billed=formatLang(self.env, action.legal_costs_billed, currency_obj=action.currency_id),
                        costs=formatLang(self.env, action.legal_costs, currency_obj=action.currency_id),
                    )
                )

    @api.constrains("state", "filing_date", "judgement_date", "awarded_amount")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for action in self:
            if action.filing_date and action.filing_date > today:
                raise ValidationError(
                    self.env._(
                        "%(file)s: the filing date (%(date)s) cannot be in the future.",
                        file=action.name,
                        date=format_date(self.env, action.filing_date),
                    )
                )
            if action.judgement_date and not action.filing_date:
                raise ValidationError(
                    self.env._("%(file)s: a judgement needs the filing date of the claim.", file=action.name)
                )
            if action.judgement_date and action.judgement_date < action.filing_date:
                raise ValidationError(
                    self.env._(
                        "%(file)s: the judgement (%(judgement)s) cannot come before the filing (%(filing)s).",
                        file=action.name,
                        judgement=format_date(self.env, action.judgement_date),
                        filing=format_date(self.env, action.filing_date),
                    )
                )
            if action.judgement_date and action.judgement_date > today:
                raise ValidationError(
                    self.env._(
                        "%(file)s: the judgement date (%(date)s) cannot be in the future.",
                        file=action.name,
                        date=format_date(self.env, action.judgement_date),
                    )
                )
            if not action.judgement_date and (
                action.state == "judgement" or not action.currency_id.is_zero(action.awarded_amount)
            ):
                raise ValidationError(
                    self.env._("%(file)s: an amount awarded or a judgement needs the judgement date.", file=action.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        self._check_manager()
        cases = self.env["leasing.collection.case"].browse(
            [vals["case_id"] for vals in vals_list if vals.get("case_id")]
        )
        for case in cases:
            if case.is_closed:
                raise UserError(
                    self.env._(
                        "%(case)s is closed (%(stage)s): it cannot go to court.",
                        case=case.name,
                        stage=case.stage_id.name,
                    )
                )
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("case_id"):
                company = self.env["leasing.collection.case"].browse(vals["case_id"]).company_id
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("leasing.legal.action") or "/"
        return super(LeasingLegalAction, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_file(self):
        """The claim is lodged with the court: it needs the court and the filing date."""
        self._check_manager()
        for action in self:
            if action.state != "draft":
                raise UserError(self.env._("%(file)s is already filed.", file=action.name))
            if not action.court or not action.filing_date:
                raise UserError(
                    self.env._("%(file)s: set the court and the filing date before filing it.", file=action.name)
                )
        self._set_state("filed")

    def action_in_court(self):
        """The court hears the case."""
        self._check_manager()
        self._check_state(("filed",), self.env._("Only a filed claim goes before the court."))
        self._set_state("in_court")

    def action_judgement(self):
        """The court has ruled: the judgement date and the amount awarded are recorded."""
        self._check_manager()
        self._check_state(("filed", "in_court"), self.env._("Only a claim before the court gets a judgement."))
        for action in self:
            if not action.judgement_date:
                raise UserError(
                    self.env._("%(file)s: set the judgement date (and the amount awarded) first.", file=action.name)
                )
        self._set_state("judgement")

    def action_close(self):
        """The file is over: judgement enforced, claim withdrawn or settled."""
        self._check_manager()
        self._check_state(("draft", "filed", "in_court", "judgement"), self.env._("This legal file is already closed."))
        self._set_state("closed")

    def action_reopen(self):
        self._check_manager()
        self._check_state(("closed",), self.env._("Only a closed legal file is reopened."))
        for action in self:
            action._set_state("judgement" if action.judgement_date else "filed" if action.filing_date else "draft")

    def action_schedule_hearing(self):
        """Schedule a hearing: an activity of the Hearing type, shown on the hearings' calendar."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Schedule a Hearing"),
            "res_model": "mail.activity.schedule",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_id": self.id,
                "active_ids": self.ids,
                "default_activity_type_id": self.env.ref(HEARING).id,
            },
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action.update(domain=[("leasing_legal_action_id", "=", self.id)], context={"create": False})
        if len(self.invoice_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.invoice_ids.id)
        return action

    def action_bill_legal_costs(self):
        """Invoice the lessee the legal costs of these files not billed yet: one posted customer
        invoice per file, on the company's legal costs recovered account. Each amount is billed
        once: a file whose costs grew is billed the difference, one fully billed is refused."""
        user = self.env.user
        if not (user.has_group("leasing_management.group_leasing_user") or user.has_group(COLLECTION_MANAGER)):
            raise AccessError(self.env._("Billing legal costs takes a Leasing User or a Collection Manager."))
        # Another billing of the same files waits for this one; the amounts billed are read after.
        self._lock_for_billing()
        self.invalidate_recordset(["legal_costs", "legal_costs_billed", "legal_costs_to_bill", "invoice_ids"])
        vals_list = []
        for action in self:
            currency = action.currency_id
            if action.state == "draft":
                raise UserError(
                    self.env._("%(file)s is not filed yet: file it before billing its legal costs.", file=action.name)
                )
            amount = currency.round(action.legal_costs - action.legal_costs_billed)
            if currency.compare_amounts(amount, 0.0) <= 0:
                raise UserError(
                    self.env._(
                        "Nothing to bill: %(file)s has %(costs)s of legal costs and %(billed)s are billed already.",
                        file=action.name,
                        costs=formatLang(self.env, action.legal_costs, currency_obj=currency),
                        billed=formatLang(self.env, action.legal_costs_billed, currency_obj=currency),
                    )
                )
            vals_list.append(action._legal_costs_invoice_vals(amount))
        # The lease documents are the system's: issued as superuser once the rights are checked.
        moves_sudo = self.env["account.move"].sudo().with_context(mail_create_nolog=True).create(vals_list)
        moves_sudo.action_post()
        self.contract_id.sudo()._allocate_payments()
        for action in self:
            action.message_post(
                body=self.env._(
                    "Legal costs billed to the lessee: %(invoices)s.",
                    invoices=", ".join(
                        moves_sudo.filtered(lambda m, a=action: m.leasing_legal_action_id == a).mapped("name")
                    ),
                )
            )
        if not self.env.user.has_group("account.group_account_invoice"):
            return True
        return self._action_view_moves(moves_sudo.sudo(False))

    # ------------------------------------------------------------------
    # Private
    # ------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Legal files are kept by the Collection Managers."))

    def _check_state(self, states, message):
        for action in self:
            if action.state not in states:
                raise UserError(self.env._("%(file)s: %(message)s", file=action.name, message=message))

    def _set_state(self, state):
        # The status is the buttons': written once they checked the rights and the state.
        self.sudo().write({"state": state})

    def _lock_for_billing(self):
        """Lock these files' rows until the end of the transaction, by writing them (their own
        value): another billing of the same files waits for this one, and one that began before
        this one committed fails (a serialization failure, retried by Odoo in a new transaction)
        instead of reading an amount billed that is out of date."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE leasing_legal_action SET legal_costs_billed = legal_costs_billed
                 WHERE id IN (SELECT id FROM leasing_legal_action WHERE id IN %s ORDER BY id FOR NO KEY UPDATE)
                """,
                tuple(self.ids),
            )
        )

    def _legal_costs_invoice_vals(self, amount):
        """The customer invoice billing ``amount`` of this file's legal costs to the lessee."""
        self.ensure_one()
        company = self.company_id
        account = company.leasing_legal_cost_account_id
        if not account:
            raise UserError(
                self.env._(
                    "%(company)s has no legal costs recovered account: set it in the Leasing settings.",
                    company=company.name,
                )
            )
        contract = self.contract_id
        journal = contract.plan_id.journal_id or company.leasing_journal_id
        if not journal:
            raise UserError(
                self.env._("%(contract)s has no invoices journal: set its plan's journal.", contract=contract.name)
            )
        today = fields.Date.context_today(self)
        label = self.env._(
            "Legal costs of %(file)s (%(court)s, case %(number)s)",
            file=self.name,
            court=self.court or "-",
            number=self.court_case_number or "-",
        )
        return {
            "move_type": "out_invoice",
            "partner_id": contract.partner_id.id,
            "company_id": company.id,
            "journal_id": journal.id,
            "currency_id": contract.currency_id.id,
            "invoice_date": today,
            "invoice_date_due": today,
            "invoice_payment_term_id": False,
            "invoice_origin": contract.name,
            "ref": self.env._("%(contract)s - legal costs", contract=contract.name),
            "leasing_contract_id": contract.id,
            "leasing_move_kind": "legal_costs",
            "leasing_legal_action_id": self.id,
            "invoice_line_ids": [
                fields.Command.create(
                    {"name": label, "account_id": account.id, "quantity": 1.0, "price_unit": amount, "tax_ids": []}
                )
            ],
        }

    def _action_view_moves(self, moves):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        if len(moves) == 1:
            action.update(views=[(False, "form")], res_id=moves.id)
        else:
            action["domain"] = [("id", "in", moves.ids)]
        return action
