from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date
from odoo.tools.misc import formatLang

from ..tools.payoff import payoff_quote

# Payment states of an invoice that owes nothing more.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# Read from the ledger when asked (not stored): read again once entries are posted.
LEDGER_FIGURES = ["amount_due", "amount_overdue", "customer_balance", "deposit_held"]
DEPOSIT_ACTIONS = [
    ("refund", "Refund it to the lessee"),
    ("apply", "Apply it to the open invoices"),
]


class LeasingContract(models.Model):
    """How a lease ends: paid off early (a settlement invoice, then closed automatically once
    every invoice is paid) or at the end of its term (closed once the whole schedule is paid,
    the deposit refunded or applied). Either way the leased items become the lessee's."""

    _inherit = "leasing.contract"

    payoff_date = fields.Date(readonly=True, copy=False, tracking=True, help="Date of the early payoff.")
    payoff_invoice_id = fields.Many2one(
        "account.move",
        string="Payoff Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="Settlement invoice of the early payoff; the lease closes once it and every other "
        "invoice of the lease are paid.",
    )
    deposit_refund_id = fields.Many2one(
        "account.move",
        string="Deposit Credit Note",
        readonly=True,
        copy=False,
        check_company=True,
        help="Credit note returning the security deposit to the lessee at closing.",
    )
    ownership_transferred_date = fields.Date(
        string="Ownership Transferred On",
        readonly=True,
        copy=False,
        tracking=True,
        help="Day the leased items became the lessee's property: the lease was closed, paid in full.",
    )
    schedule_settled = fields.Boolean(
        compute="_compute_schedule_settled", help="Every line of the schedule, residual value included, is paid."
    )

    @api.depends("schedule_line_ids.state", "schedule_line_ids.cancelled")
    def _compute_schedule_settled(self):
        for contract in self:
            contract.schedule_settled = bool(contract.schedule_line_ids) and all(
                line.cancelled or line.state == "paid" for line in contract.schedule_line_ids
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_payoff_wizard(self):
        self.ensure_one()
        self._check_closing_rights()
        if self.state != "active":
            raise UserError(self._payoff_not_active_message())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Early Payoff"),
            "res_model": "leasing.payoff.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_open_close_wizard(self):
        self.ensure_one()
        self._check_closing_rights()
        self._check_end_of_term()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close the Lease"),
            "res_model": "leasing.close.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    # ------------------------------------------------------------------
    # Rights and checks
    # ------------------------------------------------------------------
    def _check_closing_rights(self):
        """Paying off and closing issue invoices and credit notes and end the lease: they take a
        Leasing Manager who may also invoice."""
        user = self.env.user
        if not (
            user.has_group("leasing_management.group_leasing_manager")
            and user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Paying off or closing a lease takes a Leasing Manager who also has invoicing rights.")
            )

    def _payoff_not_active_message(self):
        return self.env._(
            "%(contract)s is %(state)s: only an active lease can be paid off early.",
            contract=self.name,
            state=self._state_label(),
        )

    def _payoff_error(self, payoff_date):
        """Why ``self`` cannot be paid off on ``payoff_date``, or False when it can."""
        self.ensure_one()
        if self.state != "active":
            return self._payoff_not_active_message()
        if self.payoff_invoice_id:
            return self.env._(
                "%(contract)s was already paid off on %(date)s (%(invoice)s): it closes once its invoices are paid.",
                contract=self.name,
                date=format_date(self.env, self.payoff_date),
                invoice=self.payoff_invoice_id.display_name,
            )
        if not payoff_date:
            return self.env._("Set the payoff date.")
        paid = self.schedule_line_ids.filtered(lambda line: line.state == "paid" and not line.cancelled)
        last_paid = paid.sorted(lambda line: (line.due_date, line.sequence))[-1:]
        if last_paid and payoff_date < last_paid.due_date:
            return self.env._(
                "The payoff date %(date)s comes before %(due)s, the due date of instalment %(sequence)s of "
                "%(contract)s, which is already paid: choose %(due)s or a later date.",
                date=format_date(self.env, payoff_date),
                due=format_date(self.env, last_paid.due_date),
                sequence=last_paid.sequence,
                contract=self.name,
            )
        if not self._payoff_future_lines():
            return self.env._(
                "Every instalment of %(contract)s is already invoiced: there is nothing left to pay off. "
                "Collect the open invoices, then close the lease at the end of its term.",
                contract=self.name,
            )
        return False

    def _check_end_of_term(self):
        """Raise unless every contract of ``self`` is active and its whole schedule is paid."""
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "%(contract)s is %(state)s: only an active lease can be closed.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )
            unpaid = contract.schedule_line_ids.filtered(lambda line: not line.cancelled and line.state != "paid")
            if unpaid:
                currency = contract.currency_id
                shown = unpaid.sorted("sequence")
                details = "; ".join(
                    self.env._(
                        "#%(sequence)s due %(date)s: %(status)s, %(amount)s to pay",
                        sequence=line.sequence,
                        date=format_date(self.env, line.due_date),
                        status=dict(line._fields["state"]._description_selection(self.env))[line.state],
                        amount=formatLang(
                            self.env,
                            line.amount_residual if line.invoice_id else line.amount,
                            currency_obj=currency,
                        ),
                    )
                    for line in shown[:3]
                )
                if len(shown) > 3:
                    details = self.env._("%(details)s and %(count)s more lines", details=details, count=len(shown) - 3)
                raise UserError(
                    self.env._(
                        "%(contract)s cannot be closed until its whole schedule, residual value included, is "
                        "paid. Still unpaid: %(details)s.",
                        contract=contract.name,
                        details=details,
                    )
                )

    # ------------------------------------------------------------------
    # Early payoff
    # ------------------------------------------------------------------
    def _payoff_future_lines(self):
        """Schedule lines not yet invoiced: the payoff settles them and cancels them."""
        return self.schedule_line_ids.filtered(
            lambda line: not line.cancelled and not line.invoice_id and line.state != "paid"
        )

    def _open_invoices(self):
        """Posted customer invoices of these contracts that still ask for money."""
        return self.env["account.move"].search(
            [
                ("leasing_contract_id", "in", self.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "not in", SETTLED_PAYMENT_STATES),
            ]
        )

    def _payoff_quote(self, payoff_date):
        """The payoff quote of ``self`` on ``payoff_date`` (see ``tools/payoff.py``), with the
        lines it settles (``lines``), the date interest accrues from (``accrual_start``) and the
        deposit held (``deposit_held``)."""
        self.ensure_one()
        currency = self.currency_id
        future = self._payoff_future_lines()
        past = self.schedule_line_ids.filtered(lambda line: not line.cancelled) - future
        accrual_start = max(past.mapped("due_date"), default=self.start_date) or payoff_date
        deposit_held = max(self.deposit_held, 0.0)
        args = {
            "outstanding_principal": sum(future.mapped("principal")),
            "annual_rate": self.annual_rate,
            "accrual_start": accrual_start,
            "payoff_date": payoff_date,
            "fee_pct": self.plan_id.early_termination_fee_pct,
            "unpaid_invoices": max(sum(self._open_invoices().mapped("amount_residual")), 0.0),
            "deposit_held": deposit_held,
            "rounding": currency.round,
        }
        # Taxes follow from the components: quote them, tax them, then quote with the taxes.
        components = payoff_quote(**args)
        quote = payoff_quote(**args, taxes=self._payoff_taxes(components))
        quote.update(lines=future, accrual_start=accrual_start, deposit_held=currency.round(deposit_held))
        return quote

    def _payoff_invoice_lines(self, quote):
        """(label, account, amount, taxes) of the settlement invoice's lines, without the deposit."""
        self.ensure_one()
        plan = self.plan_id
        return [
            (label, account, amount, taxes)
            for label, account, amount, taxes in (
                (
                    self.env._("%(contract)s - outstanding principal", contract=self.name),
                    plan.receivable_account_id,
                    quote["principal"],
                    plan.principal_tax_ids,
                ),
                (
                    self.env._(
                        "%(contract)s - interest accrued (%(days)s days)", contract=self.name, days=quote["days"]
                    ),
                    plan.interest_account_id,
                    quote["interest"],
                    plan.interest_tax_ids,
                ),
                (
                    self.env._(
                        "%(contract)s - early termination fee (%(pct)s %%)",
                        contract=self.name,
                        pct=plan.early_termination_fee_pct,
                    ),
                    plan.fee_account_id,
                    quote["fee"],
                    plan.fee_tax_ids,
                ),
            )
            if not self.currency_id.is_zero(amount)
        ]

    def _payoff_taxes(self, quote):
        """Taxes of the settlement invoice's lines, by the tax engine as the invoice computes them."""
        self.ensure_one()
        lines = [line for line in self._payoff_invoice_lines(quote) if line[3]]
        if not lines:
            return 0.0
        AccountTax = self.env["account.tax"]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=taxes,
                price_unit=amount,
                quantity=1.0,
                currency_id=self.currency_id,
                partner_id=self.partner_id,
            )
            for _label, _account, amount, taxes in lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        totals = AccountTax._get_tax_totals_summary(base_lines, self.currency_id, self.company_id)
        return totals["tax_amount_currency"]

    def _do_payoff(self, payoff_date):
        """Pay ``self`` off on ``payoff_date``: cancel the lines not yet invoiced, issue the
        posted settlement invoice (principal, accrued interest, fee, less the deposit held) and
        log the quote. The lease closes once every invoice is paid (``_close_paid_off``)."""
        self.ensure_one()
        error = self._payoff_error(payoff_date)
        if error:
            raise UserError(error)
        self._check_accounting_setup()
        quote = self._payoff_quote(payoff_date)
        currency = self.currency_id
        # The deposit settles the invoice as far as it goes (an invoice cannot be negative); the
        # rest goes back to the lessee through a credit note, which first settles open invoices.
        gross = currency.round(quote["principal"] + quote["interest"] + quote["fee"] + quote["taxes"])
        deposit_on_invoice = min(quote["deposit_held"], gross)
        deposit_rest = currency.round(quote["deposit_held"] - deposit_on_invoice)
        old_terms = self._payoff_schedule_summary(quote["lines"])
        quote["lines"].with_context(leasing_schedule_change=True).write({"cancelled": True})

        vals_list = [self._prepare_payoff_invoice_vals(quote, payoff_date, deposit_on_invoice)]
        if currency.compare_amounts(deposit_rest, 0.0) > 0:
            vals_list.append(self._prepare_deposit_refund_vals(deposit_rest, payoff_date))
        moves = self.env["account.move"].with_context(mail_create_nolog=True).create(vals_list)
        invoice, refund = moves[0], moves[1:]
        # Recorded before posting: a settlement invoice of zero is paid as it is posted, and the
        # payment hook must then find the payoff.
        self.write(
            {
                "payoff_date": payoff_date,
                "payoff_invoice_id": invoice.id,
                "deposit_refund_id": refund.id or self.deposit_refund_id.id,
            }
        )
        moves.action_post()
        if refund:
            self._allocate_payments()
        self.invalidate_recordset(LEDGER_FIGURES)
        self.message_post(body=self._payoff_message(quote, invoice, refund, old_terms))
        self._close_paid_off()
        return invoice

    def _prepare_payoff_invoice_vals(self, quote, payoff_date, deposit_amount):
        self.ensure_one()
        lines = [
            Command.create(
                {
                    "name": label,
                    "account_id": account.id,
                    "quantity": 1.0,
                    "price_unit": amount,
                    "tax_ids": [Command.set(taxes.ids)],
                }
            )
            for label, account, amount, taxes in self._payoff_invoice_lines(quote)
        ]
        if not self.currency_id.is_zero(deposit_amount):
            lines.append(
                Command.create(
                    {
                        "name": self.env._("%(contract)s - security deposit applied", contract=self.name),
                        "account_id": self.plan_id.deposit_account_id.id,
                        "quantity": 1.0,
                        "price_unit": -deposit_amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.plan_id.journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": payoff_date,
            "invoice_date_due": payoff_date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.name,
            "ref": self.env._("%(contract)s - early payoff", contract=self.name),
            "leasing_contract_id": self.id,
            "leasing_move_kind": "payoff",
            "invoice_line_ids": lines,
        }

    def _payoff_schedule_summary(self, lines):
        self.ensure_one()
        return self.env._(
            "%(count)s lines not yet invoiced, %(principal)s of principal, last due %(date)s",
            count=len(lines),
            principal=formatLang(self.env, sum(lines.mapped("principal")), currency_obj=self.currency_id),
            date=format_date(self.env, max(lines.mapped("due_date"), default=False)),
        )

    def _payoff_message(self, quote, invoice, refund, old_terms):
        self.ensure_one()

        def money(amount):
            return formatLang(self.env, amount, currency_obj=self.currency_id)

        rows = [
            (self.env._("Outstanding principal"), money(quote["principal"])),
            (
                self.env._(
                    "Interest accrued from %(start)s, %(days)s days at %(rate)s %%",
                    start=format_date(self.env, quote["accrual_start"]),
                    days=quote["days"],
                    rate=self.annual_rate,
                ),
                money(quote["interest"]),
            ),
            (
                self.env._("Early termination fee (%(pct)s %%)", pct=self.plan_id.early_termination_fee_pct),
                money(quote["fee"]),
            ),
            (self.env._("Taxes"), money(quote["taxes"])),
            (self.env._("Unpaid invoices (left open)"), money(quote["unpaid_invoices"])),
            (self.env._("Deposit held, applied"), money(-quote["deposit"])),
            (self.env._("Total to pay"), money(quote["total"])),
        ]
        if not self.currency_id.is_zero(quote["deposit_remaining"]):
            rows.append((self.env._("Deposit to refund"), money(quote["deposit_remaining"])))
        body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            self.env._(
                "Early payoff on %(date)s: settlement invoice %(invoice)s.",
                date=format_date(self.env, self.payoff_date),
                invoice=invoice.display_name,
            ),
            Markup().join(Markup("<li>%s: %s</li>") % row for row in rows),
            self.env._(
                "Schedule: before, %(old)s; now, cancelled and settled by the payoff invoice.",
                old=old_terms,
            ),
        )
        if refund:
            body += Markup("<p>%s</p>") % self.env._(
                "The deposit left over is credited back by %(refund)s.", refund=refund.display_name
            )
        return body

    def _close_paid_off(self):
        """Close the paid-off leases of ``self`` whose invoices are all paid (batch: one grouped
        read for all of them). Called when an invoice becomes paid."""
        paid_off = self.filtered(lambda c: c.state == "active" and c.payoff_invoice_id)
        if not paid_off:
            return self.browse()
        unpaid = {
            contract
            for [contract] in self.env["account.move"]._read_group(
                [
                    ("leasing_contract_id", "in", paid_off.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "not in", SETTLED_PAYMENT_STATES),
                ],
                ["leasing_contract_id"],
            )
        }
        closing = paid_off.filtered(lambda c: c not in unpaid)
        if closing:
            closing._write_workflow({"state": "closed"})
            closing._transfer_ownership(
                self.env._("Paid off: the payoff invoice and every other invoice of the lease are paid.")
            )
        return closing

    # ------------------------------------------------------------------
    # End of term
    # ------------------------------------------------------------------
    def _do_close_end_of_term(self, deposit_action):
        """Close ``self`` at the end of its term: the whole schedule is paid; the deposit held
        goes back to the lessee through a credit note, which ``apply`` also reconciles with the
        open invoices of the lease."""
        self.ensure_one()
        if deposit_action not in dict(DEPOSIT_ACTIONS):
            raise UserError(self.env._("Choose whether to refund the deposit or to apply it to the open invoices."))
        self._check_end_of_term()
        currency = self.currency_id
        deposit = currency.round(self.deposit_held)
        refund = self.env["account.move"]
        if currency.compare_amounts(deposit, 0.0) > 0:
            self._check_accounting_setup()
            today = fields.Date.context_today(self)
            refund = (
                self.env["account.move"]
                .with_context(mail_create_nolog=True)
                .create(self._prepare_deposit_refund_vals(deposit, today))
            )
            refund.action_post()
            self.deposit_refund_id = refund
            if deposit_action == "apply":
                self._allocate_payments()
        self.invalidate_recordset(LEDGER_FIGURES)
        self._write_workflow({"state": "closed"})
        if not refund:
            note = self.env._("No deposit was held.")
        elif deposit_action == "apply":
            note = self.env._(
                "The deposit held (%(amount)s) is credited by %(refund)s and applied to the open invoices; "
                "what is left is the lessee's to refund.",
                amount=formatLang(self.env, deposit, currency_obj=currency),
                refund=refund.display_name,
            )
        else:
            note = self.env._(
                "The deposit held (%(amount)s) is credited by %(refund)s, to refund to the lessee.",
                amount=formatLang(self.env, deposit, currency_obj=currency),
                refund=refund.display_name,
            )
        self._transfer_ownership(
            self.env._("Closed at the end of its term, the whole schedule paid. %(note)s", note=note)
        )
        return refund

    def _prepare_deposit_refund_vals(self, amount, date):
        """A customer credit note for ``amount`` of the deposit: it debits the deposits held
        (the liability is consumed) and credits the lessee's receivable."""
        self.ensure_one()
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.plan_id.journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": date,
            "invoice_date_due": date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.name,
            "ref": self.env._("%(contract)s - security deposit returned", contract=self.name),
            "leasing_contract_id": self.id,
            "leasing_move_kind": "deposit_refund",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self.env._("%(contract)s - security deposit returned", contract=self.name),
                        "account_id": self.plan_id.deposit_account_id.id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _transfer_ownership(self, reason):
        """The leased items become the lessees' property: date it and say so in the chatter."""
        today = fields.Date.context_today(self)
        self.write({"ownership_transferred_date": today})
        for contract in self:
            items = Markup().join(
                Markup("<li>%s x %s</li>") % (formatLang(self.env, line.quantity), line.name or line.product_id.name)
                for line in contract.line_ids
            )
            contract.message_post(
                body=Markup("<p>%s</p><p>%s</p><ul>%s</ul>")
                % (
                    reason,
                    self.env._(
                        "The lease is closed. Ownership of the leased items passes to %(lessee)s on %(date)s:",
                        lessee=contract.partner_id.display_name,
                        date=format_date(self.env, today),
                    ),
                    items,
                )
            )
