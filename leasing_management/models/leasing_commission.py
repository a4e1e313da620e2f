from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

# Imported by the other commission files: this one defines no inheritance, so importing it
# early cannot register an extension before the model it extends.
COMMISSION_ROLES = [
    ("dealer", "Dealer"),
    ("agent", "Agent"),
    ("broker", "Broker"),
]
COMMISSION_BASES = [
    ("percent", "% of Financed Amount"),
    ("fixed", "Fixed Amount"),
]
COMMISSION_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("billed", "Billed"),
    ("cancelled", "Cancelled"),
]
# What the commission is worth and to whom: open to a Leasing Manager while it is a draft.
TERMS_FIELDS = frozenset(
    {"contract_id", "intermediary_id", "partner_id", "role", "basis", "rate", "base_amount", "amount", "date"}
)


class LeasingCommission(models.Model):
    _name = "leasing.commission"
    _description = "Lease Commission"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["contract_id", "partner_id"]

    contract_id = fields.Many2one(
        "leasing.contract", required=True, ondelete="restrict", index=True, readonly=True, check_company=True
    )
    intermediary_id = fields.Many2one(
        "leasing.contract.intermediary", string="Contract Intermediary", ondelete="set null", readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Intermediary", required=True, index=True, readonly=True, check_company=True
    )
    role = fields.Selection(COMMISSION_ROLES, required=True, readonly=True)
    plan_id = fields.Many2one(related="contract_id.plan_id", store=True, string="Financing Plan")
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id", store=True)
    date = fields.Date(
        required=True, index=True, readonly=True, default=fields.Date.context_today, help="Activation of the lease."
    )
    basis = fields.Selection(COMMISSION_BASES, required=True, readonly=True)
    rate = fields.Float(string="Rate (%)", digits=(16, 4), readonly=True, aggregator=None)
    base_amount = fields.Monetary(
        string="Financed Amount", readonly=True, aggregator="sum", help="Financed amount of the lease at activation."
    )
    amount = fields.Monetary(string="Commission", aggregator="sum", tracking=True)
    state = fields.Selection(
        COMMISSION_STATES, required=True, default="draft", readonly=True, copy=False, tracking=True, index=True
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    bill_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
    )
    note = fields.Text()

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A commission cannot be negative."),
        (
            "billed_has_bill",
            "CHECK(state != 'billed' OR bill_id IS NOT NULL)",
            "A billed commission must have its vendor bill.",
        ),
    ]

    @api.depends("contract_id.name", "role", "partner_id")
    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for commission in self:
            commission.display_name = self.env._(
                "%(contract)s - %(role)s commission",
                contract=commission.contract_id.name or "",
                role=roles.get(commission.role, ""),
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Commissions come from the activation of their lease (_create_for_contracts): what they
        # are worth, to whom and their status are the system's.
        self._check_system_fields(vals_list)
        return super(LeasingCommission, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        if TERMS_FIELDS.intersection(vals):
            for commission in self:
                if commission.state != "draft":
                    raise UserError(
                        self.env._(
                            "%(commission)s is %(state)s: only a draft commission can be changed.",
                            commission=commission.display_name,
                            state=commission._state_label(),
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancelled(self):
        for commission in self:
            if commission.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(commission)s is %(state)s: only draft or cancelled commissions can be deleted.",
                        commission=commission.display_name,
                        state=commission._state_label(),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_approve(self):
        """Approve the selected draft commissions (Leasing Manager), in one write."""
        self._check_manager()
        self._check_states(("draft",), self.env._("Only draft commissions can be approved"))
        self._write_system(
            {"state": "approved", "approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()}
        )
        return True

    def action_cancel(self):
        self._check_manager()
        self._check_states(
            ("draft", "approved"),
            self.env._("Only draft or approved commissions can be cancelled (cancel the vendor bill first)"),
        )
        self._write_system({"state": "cancelled"})
        return True

    def action_draft(self):
        self._check_manager()
        self._check_states(
            ("approved", "cancelled"), self.env._("Only approved or cancelled commissions can be set back to draft")
        )
        self._write_system({"state": "draft", "approved_by_id": False, "approved_date": False})
        return True

    def action_create_bills(self):
        """One vendor bill per intermediary (and company, currency and purchase journal) for the
        selected approved commissions, one line per commission, created in one batch.

        The bills are left in draft: the intermediary sends their own invoice, whose reference,
        date and taxes (which depend on their tax status) the accountant checks before posting."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Only users with billing rights can create vendor bills for commissions."))
        if not self:
            raise UserError(self.env._("Select the approved commissions to bill."))
        self._check_states(("approved",), self.env._("Only approved commissions can be billed"))
        self._check_billing_setup()
        groups = self.grouped(
            lambda c: (c.partner_id.commercial_partner_id, c.company_id, c.currency_id, c.plan_id.purchase_journal_id)
        )
        keys = list(groups)
        # Tagged as commission bills, which only the system does; the user's billing rights are checked.
        bills = (
            self.env["account.move"].sudo().create([self._prepare_bill_vals(groups[key], *key) for key in keys])
        ).sudo(False)
        for key, bill in zip(keys, bills, strict=True):
            groups[key]._write_system({"state": "billed", "bill_id": bill.id})
        return self._action_view_bills(bills)

    def action_view_bill(self):
        self.ensure_one()
        return self._action_view_bills(self.bill_id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.user.has_group("leasing_management.group_leasing_manager"):
            raise AccessError(self.env._("Only a Leasing Manager can approve, cancel or reset commissions."))

    def _check_states(self, states, message):
        wrong = self.filtered(lambda c: c.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "%(message)s: %(commissions)s.",
                    message=message,
                    commissions=", ".join(f"{c.display_name} ({c._state_label()})" for c in wrong[:10]),
                )
            )

    def _check_billing_setup(self):
        for plan in self.plan_id:
            missing = [
                plan._fields[name].get_description(self.env)["string"]
                for name in ("purchase_journal_id", "commission_account_id")
                if not plan[name]
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "The financing plan %(plan)s lacks what commission bills need: %(missing)s. "
                        "Set it on the plan (Accounting tab) or in the Leasing settings.",
                        plan=plan.display_name,
                        missing=", ".join(missing),
                    )
                )
            if plan.commission_account_id.deprecated:
                raise UserError(
                    self.env._(
                        "The commissions expense account %(account)s of the plan %(plan)s is deprecated: "
                        "choose another one on the plan.",
                        account=plan.commission_account_id.display_name,
                        plan=plan.display_name,
                    )
                )

    def _prepare_bill_vals(self, commissions, partner, company, currency, journal):
        contracts = commissions.contract_id
        return {
            "move_type": "in_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "journal_id": journal.id,
            "currency_id": currency.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": ", ".join(contracts.sorted("name").mapped("name")),
            "leasing_move_kind": "commission",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": commission._bill_line_label(),
                        "account_id": commission.plan_id.commission_account_id.id,
                        "quantity": 1.0,
                        "price_unit": commission.amount,
                    }
                )
                for commission in commissions.sorted(lambda c: (c.contract_id.name, c.role, c.id))
            ],
        }

    def _bill_line_label(self):
        self.ensure_one()
        if self.basis == "percent":
            rate = f"{self.rate:g}"
            detail = self.env._(
                "%(rate)s %% of %(amount)s", rate=rate, amount=self.currency_id.format(self.base_amount)
            )
        else:
            detail = self.env._("fixed amount")
        return f"{self.display_name} ({detail})"

    @api.model
    def _create_for_contracts(self, contracts):
        """Draft commissions of the intermediaries of ``contracts`` (newly active), by their
        plan's rule for each role, in one create. An intermediary whose role has no rule on the
        plan, or whose rule gives nothing, earns nothing."""
        rules = {(rule.plan_id, rule.role): rule for rule in contracts.plan_id.commission_ids}
        today = fields.Date.context_today(self)
        vals_list = []
        for contract in contracts:
            for intermediary in contract.intermediary_ids:
                rule = rules.get((contract.plan_id, intermediary.role))
                if not rule:
                    continue
                amount = rule._commission_for(contract)
                if contract.currency_id.is_zero(amount):
                    continue
                vals_list.append(
                    {
                        "contract_id": contract.id,
                        "intermediary_id": intermediary.id,
                        "partner_id": intermediary.partner_id.id,
                        "role": intermediary.role,
                        "date": contract.activated_date or today,
                        "basis": rule.basis,
                        "rate": rule.rate if rule.basis == "percent" else 0.0,
                        "base_amount": contract.financed_amount,
                        "amount": amount,
                    }
                )
        # Activation has checked the rights and the state; the commission's figures are the system's.
        return self.sudo().create(vals_list).sudo(False)

    def _write_system(self, vals):
        """Write the status and its links (the vendor bill) for an action method that has checked
        the state and the rights: ``write`` refuses these fields to any caller but the superuser."""
        self.check_access("write")
        return self.sudo().write(vals)

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _release_from_bills(self):
        """Commissions whose bill was cancelled or deleted can be billed again."""
        if not self:
            return
        self._write_system({"state": "approved", "bill_id": False})
        for commission in self:
            commission.message_post(
                body=self.env._("Its vendor bill was cancelled or deleted: the commission can be billed again.")
            )

    def _action_view_bills(self, bills):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_in_invoice_type")
        action.update(
            domain=[("id", "in", bills.ids)],
            context={"default_move_type": "in_invoice", "create": False},
        )
        if len(bills) == 1:
            action.update(views=[(False, "form")], res_id=bills.id)
        return action
