from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools.misc import formatLang

from ..models.leasing_contract import LEDGER_FIGURES, SETTLED_PAYMENT_STATES
from ..tools.payoff import payoff_quote


class LeasingPayoffWizard(models.TransientModel):
    """Early payoff of an active lease on a date: the quote of ``tools/payoff.py`` (principal not
    yet invoiced, interest accrued by days, the early termination fee, taxes, less the deposit
    held), then a posted settlement invoice; the lines not yet invoiced are cancelled and the
    lease closes once every invoice of it is paid."""

    _name = "leasing.payoff.wizard"
    _description = "Early Payoff of a Lease"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    annual_rate = fields.Float(related="contract_id.rate_in_force", string="Annual Rate (%)")
    early_termination_fee_pct = fields.Float(related="contract_id.plan_id.early_termination_fee_pct")
    payoff_date = fields.Date(required=True, default=fields.Date.context_today)

    accrual_start = fields.Date(string="Interest From", compute="_compute_quote")
    accrual_days = fields.Integer(string="Days of Interest", compute="_compute_quote")
    outstanding_principal = fields.Monetary(
        compute="_compute_quote", help="Principal of the schedule lines not yet invoiced."
    )
    accrued_interest = fields.Monetary(
        string="Interest Accrued",
        compute="_compute_quote",
        help="Outstanding principal x annual rate x days since the last instalment invoiced fell due / 365.",
    )
    early_termination_fee = fields.Monetary(compute="_compute_quote")
    penalty_interest = fields.Monetary(
        compute="_compute_quote",
        help="Penalty interest of the late instalments accrued to the payoff date and not yet invoiced.",
    )
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_quote")
    unpaid_invoices = fields.Monetary(
        compute="_compute_quote", help="Still due on the invoices already issued; they stay open as they are."
    )
    deposit_applied = fields.Monetary(
        string="Less Deposit Held",
        compute="_compute_quote",
        help="The security deposit held, deducted from what is due (shown negative).",
    )
    deposit_remaining = fields.Monetary(
        string="Deposit to Refund", compute="_compute_quote", help="The part of the deposit above everything owed."
    )
    amount_total = fields.Monetary(string="Total to Pay", compute="_compute_quote")
    warning = fields.Char(compute="_compute_quote")

    @api.depends("contract_id", "payoff_date")
    def _compute_quote(self):
        for wizard in self:
            error = wizard._payoff_error() if wizard.contract_id else False
            quote = {}
            # No figures for a payoff that cannot be made (a date refused, nothing left to pay off).
            if wizard.contract_id and wizard.payoff_date and not error:
                quote = wizard._quote()
            wizard.warning = error
            wizard.accrual_start = quote.get("accrual_start", False)
            wizard.accrual_days = quote.get("days", 0)
            wizard.outstanding_principal = quote.get("principal", 0.0)
            wizard.accrued_interest = quote.get("interest", 0.0)
            wizard.early_termination_fee = quote.get("fee", 0.0)
            wizard.penalty_interest = quote.get("penalty", 0.0)
            wizard.amount_tax = quote.get("taxes", 0.0)
            wizard.unpaid_invoices = quote.get("unpaid_invoices", 0.0)
            wizard.deposit_applied = -quote.get("deposit", 0.0)
            wizard.deposit_remaining = quote.get("deposit_remaining", 0.0)
            wizard.amount_total = quote.get("total", 0.0)

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._check_closing_rights()
        invoice = self._do_payoff()
        return self.contract_id._action_view_moves(invoice)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _payoff_error(self):
        """Why the contract cannot be paid off on the payoff date, or False when it can."""
        self.ensure_one()
        contract, payoff_date = self.contract_id, self.payoff_date
        if contract.state != "active":
            return contract._payoff_not_active_message()
        if contract.payoff_invoice_id:
            return self.env._(
                "%(contract)s was already paid off on %(date)s (%(invoice)s): it closes once its invoices are paid.",
                contract=contract.name,
                date=format_date(self.env, contract.payoff_date),
                invoice=contract.payoff_invoice_id.display_name,
            )
        if not payoff_date:
            return self.env._("Set the payoff date.")
        # Instalments the ledger shows as paid: a line of zero amount (an interest-only lease at
        # 0 %) has no invoice and is paid by nobody.
        paid = contract.schedule_line_ids.filtered(
            lambda line: not line.cancelled
            and line.invoice_id.state == "posted"
            and line.invoice_id.payment_state in SETTLED_PAYMENT_STATES
        )
        last_paid = paid.sorted(lambda line: (line.due_date, line.sequence))[-1:]
        if last_paid and payoff_date < last_paid.due_date:
            return self.env._(
                "The payoff date %(date)s comes before %(due)s, the due date of instalment %(sequence)s of "
                "%(contract)s, which is already paid: choose %(due)s or a later date.",
                date=format_date(self.env, payoff_date),
                due=format_date(self.env, last_paid.due_date),
                sequence=last_paid.sequence,
                contract=contract.name,
            )
        future = self._future_lines()
        if all(contract.currency_id.is_zero(line.amount) for line in future):
            return self.env._(
                "Every instalment of %(contract)s is already invoiced: there is nothing left to pay off. "
                "Collect the open invoices, then close the lease at the end of its term.",
                contract=contract.name,
            )
        first, last = contract.start_date, max(future.mapped("due_date"))
        if not first <= payoff_date <= last:
            return self.env._(
                "Choose a payoff date between the start of %(contract)s (%(start)s) and the due date of its "
                "last instalment (%(end)s).",
                contract=contract.name,
                start=format_date(self.env, first),
                end=format_date(self.env, last),
            )
        return False

    def _future_lines(self):
        """Schedule lines not yet invoiced (zero ones included): the payoff settles them and
        cancels them."""
        return self.contract_id.schedule_line_ids.filtered(lambda line: not line.cancelled and not line.invoice_id)

    def _quote(self):
        """The payoff quote on the payoff date (see ``tools/payoff.py``), with the lines it
        settles (``lines``), the date interest accrues from (``accrual_start``) and the deposit
        held (``deposit_held``)."""
        self.ensure_one()
        contract, payoff_date = self.contract_id, self.payoff_date
        currency = contract.currency_id
        future = self._future_lines()
        invoiced = contract.schedule_line_ids.filtered(lambda line: not line.cancelled) - future
        accrual_start = max(invoiced.mapped("due_date"), default=contract.start_date) or payoff_date
        deposit_held = max(contract.deposit_held, 0.0)
        penalty_lines = self._penalty_lines()
        args = {
            "outstanding_principal": sum(future.mapped("principal")),
            "annual_rate": contract.rate_in_force,
            "accrual_start": accrual_start,
            "payoff_date": payoff_date,
            "fee_pct": contract.plan_id.early_termination_fee_pct,
            "unpaid_invoices": max(sum(contract._open_invoices().mapped("amount_residual")), 0.0),
            "deposit_held": deposit_held,
            "rounding": currency._leasing_rounding(),
            "penalty": currency.round(sum(line["amount"] for line in penalty_lines)),
        }
        # Taxes follow from the components: quote them, tax them, then quote with the taxes.
        components = dict(payoff_quote(**args), penalty_lines=penalty_lines)
        quote = payoff_quote(**args, taxes=self._taxes(components))
        quote.update(
            lines=future,
            accrual_start=accrual_start,
            deposit_held=currency.round(deposit_held),
            penalty_lines=penalty_lines,
        )
        return quote

    def _penalty_lines(self):
        """The penalty interest the payoff bills, one dict per instalment: ``label``,
        ``account`` (income account), ``amount``, ``taxes`` and ``vals`` (more values of its
        invoice line). None here: leasing_collections bills the penalty of the late instalments
        accrued to the payoff date and not yet invoiced."""
        return []

    def _invoice_lines(self, quote):
        """(label, account, amount, taxes, vals) of the settlement invoice's lines, without the
        deposit: ``vals`` are more values of the invoice line (the penalty's instalment)."""
        self.ensure_one()
        contract = self.contract_id
        plan = contract.plan_id
        penalties = [
            (line["label"], line["account"], line["amount"], line["taxes"], line["vals"])
            for line in quote.get("penalty_lines", [])
        ]
        return [
            (label, account, amount, taxes, {})
            for label, account, amount, taxes in (
                (
                    self.env._("%(contract)s - outstanding principal", contract=contract.name),
                    plan.receivable_account_id,
                    quote["principal"],
                    plan.principal_tax_ids,
                ),
                (
                    self.env._(
                        "%(contract)s - interest accrued (%(days)s days)", contract=contract.name, days=quote["days"]
                    ),
                    plan.interest_account_id,
                    quote["interest"],
                    plan.interest_tax_ids,
                ),
                (
                    self.env._(
                        "%(contract)s - early termination fee (%(pct)s %%)",
                        contract=contract.name,
                        pct=plan.early_termination_fee_pct,
                    ),
                    plan.fee_account_id,
                    quote["fee"],
                    plan.fee_tax_ids,
                ),
            )
            if not contract.currency_id.is_zero(amount)
        ] + [line for line in penalties if not contract.currency_id.is_zero(line[2])]

    def _taxes(self, quote):
        """Taxes the settlement invoice adds on top of its lines, by the tax engine as the invoice
        computes them (taxes included in the price are already in the amounts: none added)."""
        self.ensure_one()
        contract = self.contract_id
        lines = [line for line in self._invoice_lines(quote) if line[3]]
        if not lines:
            return 0.0
        AccountTax = self.env["account.tax"]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=taxes,
                price_unit=amount,
                quantity=1.0,
                currency_id=contract.currency_id,
                partner_id=contract.partner_id,
            )
            for _label, _account, amount, taxes, _vals in lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, contract.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, contract.company_id)
        totals = AccountTax._get_tax_totals_summary(base_lines, contract.currency_id, contract.company_id)
        return contract.currency_id.round(totals["total_amount_currency"] - sum(line[2] for line in lines))

    def _do_payoff(self):
        """Pay the contract off on the payoff date: cancel the lines not yet invoiced, issue the
        posted settlement invoice (principal, accrued interest, fee, less the deposit held) and
        log the quote. The lease closes once every invoice is paid (``_close_paid_off``)."""
        self.ensure_one()
        contract, payoff_date = self.contract_id, self.payoff_date
        error = self._payoff_error()
        if error:
            raise UserError(error)
        quote = self._quote()
        # The accounts its lines post to: those of the amounts it settles, and the deposits account
        # for the deposit it applies or refunds.
        contract._check_accounting_setup("payoff", figures=quote)
        currency = contract.currency_id
        # The deposit settles the invoice as far as it goes (an invoice cannot be negative); the
        # rest goes back to the lessee through a credit note, which first settles open invoices.
        gross = currency.round(quote["principal"] + quote["interest"] + quote["fee"] + quote["taxes"])
        deposit_on_invoice = min(quote["deposit_held"], gross)
        deposit_rest = currency.round(quote["deposit_held"] - deposit_on_invoice)
        old_terms = self._schedule_summary(quote["lines"])
        # The schedule and the lease documents are the system's: written as superuser once the
        # payoff is checked (state, date, the user's rights in action_confirm).
        quote["lines"].sudo().write({"cancelled": True})

        vals_list = [self._prepare_invoice_vals(quote, deposit_on_invoice)]
        if currency.compare_amounts(deposit_rest, 0.0) > 0:
            vals_list.append(contract._prepare_deposit_refund_vals(deposit_rest, payoff_date))
        moves_sudo = self.env["account.move"].sudo().with_context(mail_create_nolog=True).create(vals_list)
        moves = moves_sudo.sudo(False)
        invoice, refund = moves[0], moves[1:]
        # Recorded before posting: a settlement invoice of zero is paid as it is posted, and the
        # payment hook must then find the payoff.
        contract._write_system(
            {
                "payoff_date": payoff_date,
                "payoff_invoice_id": invoice.id,
                "deposit_refund_id": refund.id or contract.deposit_refund_id.id,
            }
        )
        moves_sudo.action_post()
        # The settlement credits the last of the principal: no exchange cent may stay behind.
        contract._clear_exchange_rounding(payoff_date)
        if refund:
            contract._allocate_payments()
        contract.invalidate_recordset(LEDGER_FIGURES)
        contract.message_post(body=self._message(quote, invoice, refund, old_terms))
        contract._close_paid_off()
        return invoice

    def _prepare_invoice_vals(self, quote, deposit_amount):
        self.ensure_one()
        contract = self.contract_id
        lines = []
        for label, account, amount, taxes, vals in self._invoice_lines(quote):
            if account == contract.plan_id.receivable_account_id and not vals:
                # The principal: the receivable is credited in full, VAT included or not.
                lines += contract._principal_invoice_lines(amount, label)
                continue
            lines.append(
                Command.create(
                    {
                        "name": label,
                        "account_id": account.id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.set(taxes.ids)],
                        **vals,
                    }
                )
            )
        if not contract.currency_id.is_zero(deposit_amount):
            lines.append(
                Command.create(
                    {
                        "name": self.env._("%(contract)s - security deposit applied", contract=contract.name),
                        "account_id": contract.plan_id.deposit_account_id.id,
                        "quantity": 1.0,
                        "price_unit": -deposit_amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": contract.partner_id.id,
            "company_id": contract.company_id.id,
            "journal_id": contract.plan_id.journal_id.id,
            "currency_id": contract.currency_id.id,
            "invoice_date": self.payoff_date,
            "invoice_date_due": self.payoff_date,
            "invoice_payment_term_id": False,
            "invoice_origin": contract.name,
            "ref": self.env._("%(contract)s - early payoff", contract=contract.name),
            "leasing_contract_id": contract.id,
            "leasing_move_kind": "payoff",
            "invoice_line_ids": lines,
        }

    def _schedule_summary(self, lines):
        self.ensure_one()
        return self.env._(
            "%(count)s lines not yet invoiced, %(principal)s of principal, last due %(date)s",
            count=len(lines),
            principal=formatLang(self.env, sum(lines.mapped("principal")), currency_obj=self.contract_id.currency_id),
            date=format_date(self.env, max(lines.mapped("due_date"), default=False)),
        )

    def _message(self, quote, invoice, refund, old_terms):
        self.ensure_one()
        contract = self.contract_id

        def money(amount):
            return formatLang(self.env, amount, currency_obj=contract.currency_id)

        rows = [
            (self.env._("Outstanding principal"), money(quote["principal"])),
            (
                self.env._(
                    "Interest accrued from %(start)s, %(days)s days at %(rate)s %%",
                    start=format_date(self.env, quote["accrual_start"]),
                    days=quote["days"],
                    rate=contract.rate_in_force,
                ),
                money(quote["interest"]),
            ),
            (
                self.env._("Early termination fee (%(pct)s %%)", pct=contract.plan_id.early_termination_fee_pct),
                money(quote["fee"]),
            ),
            (self.env._("Taxes"), money(quote["taxes"])),
            (self.env._("Unpaid invoices (left open)"), money(quote["unpaid_invoices"])),
            (self.env._("Deposit held, applied"), money(-quote["deposit"])),
            (self.env._("Total to pay"), money(quote["total"])),
        ]
        if not contract.currency_id.is_zero(quote["penalty"]):
            rows.insert(3, (self.env._("Penalty interest of the late instalments"), money(quote["penalty"])))
        if not contract.currency_id.is_zero(quote["deposit_remaining"]):
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
