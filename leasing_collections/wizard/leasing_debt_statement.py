from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.addons.leasing_management.tools.money import round_exact
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..tools import statement_line, statement_totals

# The leases a statement covers: those with a ledger.
STATEMENT_CONTRACT_STATES = ("active", "closed")
STATEMENT_LINE_STATUSES = [
    ("scheduled", "Planned"),
    ("invoiced", "Invoiced"),
    ("partial", "Partially Paid"),
    ("overdue", "Overdue"),
    ("paid", "Paid"),
]


class LeasingDebtStatement(models.TransientModel):
    """A lessee's debt statement on a date: one lease, or every lease of theirs.

    ``_statement_data`` reads the ledger as it stood at the end of the date and works the figures
    out once (``tools/statement.py``); the screen (the lines and payments below, the totals) and
    the PDF both show what it returns. The penalty interest is the daily close's (its fields on
    the schedule lines), the payoff the early payoff wizard's own quote for the date."""

    _name = "leasing.debt.statement"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Debt Statement"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', 'in', ('active', 'closed'))]",
        help="The lease of the statement; leave empty for every lease of the lessee.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Lessee",
        required=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    date = fields.Date(
        string="Statement Date",
        required=True,
        default=fields.Date.context_today,
        help="The ledger as it stood at the end of this day: neither in the future nor before the lease started.",
    )
    contract_ids = fields.Many2many(
        "leasing.contract", string="Leases", compute="_compute_figures", store=True, readonly=True
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_figures", store=True, readonly=True)
    error = fields.Char(compute="_compute_figures", store=True, readonly=True)
    line_ids = fields.One2many(
        "leasing.debt.statement.line", "statement_id", compute="_compute_figures", store=True, readonly=True
    )
    payment_ids = fields.One2many(
        "leasing.debt.statement.payment", "statement_id", compute="_compute_figures", store=True, readonly=True
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Unpaid on the invoices of the leases due before the statement date.",
    )
    amount_not_due = fields.Monetary(
        string="Invoiced, Not Yet Due",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Unpaid on the invoices not yet due.",
    )
    amount_not_invoiced = fields.Monetary(
        string="Not Yet Invoiced",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="The instalments still to be invoiced, as the schedule has them.",
    )
    penalty_due = fields.Monetary(
        string="Penalty Not Yet Invoiced",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Penalty interest accrued to the last close, neither invoiced nor waived. What the penalty invoices "
        "ask for is in their own lines, overdue or not yet due: it is not counted here again.",
    )
    penalty_invoiced = fields.Monetary(
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Penalty interest billed on the penalty invoices, less what credit notes gave back: what is unpaid of "
        "it is owed in those invoices' lines.",
    )
    penalty_waived = fields.Monetary(
        compute="_compute_figures", store=True, readonly=True, help="Penalty interest waived, never to be paid."
    )
    amount_total = fields.Monetary(
        string="Total Owed",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Overdue, plus invoiced and not yet due, plus not yet invoiced, plus penalty due.",
    )
    customer_balance = fields.Monetary(
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="The lessee's payments and credit notes not yet allocated to an invoice on the statement date.",
    )
    deposit_held = fields.Monetary(compute="_compute_figures", store=True, readonly=True)
    payoff_amount = fields.Monetary(
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="What ends the leases on the statement date: the early payoff quote of each lease that can be "
        "paid off (deposit deducted).",
    )
    payoff_note = fields.Text(
        compute="_compute_figures", store=True, readonly=True, help="Why a lease has no payoff quote on the date."
    )
    close_date = fields.Date(
        string="Penalty as of",
        compute="_compute_figures",
        store=True,
        readonly=True,
        help="Date of the last collections close, which computed the penalty interest.",
    )

    @api.depends("partner_id", "date")
    @api.depends_context("lang")
    def _compute_name(self):
        for statement in self:
            statement.name = self.env._(
                "Debt Statement - %(lessee)s - %(date)s",
                lessee=statement.partner_id.display_name or "",
                # Also the PDF's file name: no slash in it, whatever the language's date format.
                date=fields.Date.to_string(statement.date) if statement.date else "",
            )

    @api.depends("contract_id")
    def _compute_partner_id(self):
        for statement in self:
            statement.partner_id = statement.contract_id.partner_id or statement.partner_id

    @api.depends("contract_id")
    def _compute_company_id(self):
        for statement in self:
            statement.company_id = statement.contract_id.company_id or statement.company_id or self.env.company

    @api.depends("contract_id", "partner_id", "company_id", "date")
    def _compute_figures(self):
        # Stored figures are computed as superuser (compute_sudo), which writes the lines: the
        # figures themselves are read with the user's own rights on the leases.
        for statement in self:
            data = statement.sudo(False)._statement_data() if statement.partner_id and statement.date else {}
            statement.error = data.get("error", False)
            statement.contract_ids = [Command.set([section["contract"].id for section in data.get("contracts", [])])]
            statement.currency_id = data.get("currency", statement.company_id.currency_id)
            statement.line_ids = [Command.clear()] + [
                Command.create(statement._line_vals(section["contract"], row))
                for section in data.get("contracts", [])
                for row in section["lines"]
            ]
            statement.payment_ids = [Command.clear()] + [
                Command.create(
                    {
                        "contract_id": section["contract"].id,
                        "date": payment["date"],
                        "reference": payment["reference"],
                        "kind": payment["kind"],
                        "amount": payment["amount"],
                    }
                )
                for section in data.get("contracts", [])
                for payment in section["payments"]
            ]
            totals = data.get("totals", {})
            statement.amount_overdue = totals.get("overdue", 0.0)
            statement.amount_not_due = totals.get("not_due", 0.0)
            statement.amount_not_invoiced = totals.get("not_invoiced", 0.0)
            statement.penalty_due = totals.get("penalty_due", 0.0)
            statement.penalty_invoiced = totals.get("penalty_invoiced", 0.0)
            statement.penalty_waived = totals.get("penalty_waived", 0.0)
            statement.amount_total = totals.get("total", 0.0)
            statement.deposit_held = totals.get("deposit_held", 0.0)
            statement.payoff_amount = totals.get("payoff", 0.0)
            statement.customer_balance = data.get("customer_balance", 0.0)
            statement.payoff_note = "\n".join(
                f"{section['contract'].name}: {section['payoff_error']}"
                for section in data.get("contracts", [])
                if section["payoff_error"]
            )
            statement.close_date = data.get("close_date", False)

    @api.constrains("date", "contract_id", "partner_id")
    def _check_date(self):
        for statement in self:
            error = statement._date_error()
            if error:
                raise ValidationError(error)

    @api.model_create_multi
    def create(self, vals_list):
        # The figures are the ledger's: nobody chooses them, by a value or a default.
        self._check_system_fields(vals_list)
        return super(LeasingDebtStatement, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    def action_print(self):
        self.ensure_one()
        self._check_printable()
        return self.env.ref("leasing_collections.action_report_leasing_debt_statement").report_action(self)

    def action_send_email(self):
        """Open the e-mail composer with the debt statement template: to the lessee, in their
        language, the statement's PDF attached, as an invoice's Send does."""
        self.ensure_one()
        self._check_printable()
        template = self.env.ref("leasing_collections.mail_template_leasing_debt_statement", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send by Email"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "email_notification_allow_footer": True,
                "force_email": True,
                "model_description": self.env._("Debt Statement"),
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_printable(self):
        """Refuse to print or send a statement whose date or leases are refused."""
        self.ensure_one()
        self._report_data()

    def _report_data(self):
        """The figures of the PDF: ``_statement_data``, a statement that cannot be made refused."""
        self.ensure_one()
        data = self._statement_data()
        if data["error"]:
            raise UserError(data["error"])
        return data

    def _date_error(self):
        """Why the statement cannot be made for its date, or False."""
        self.ensure_one()
        if not self.date:
            return self.env._("Set the date of the statement.")
        today = fields.Date.context_today(self)
        if self.date > today:
            return self.env._(
                "A debt statement cannot be dated %(date)s, a day still to come: the ledger does not know yet what "
                "will be paid by then. Choose today (%(today)s) or an earlier day.",
                date=format_date(self.env, self.date),
                today=format_date(self.env, today),
            )
        contract = self.contract_id
        if contract and contract.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            return self.env._(
                "%(contract)s is not a lease of %(lessee)s: pick one of theirs, or none for all of them.",
                contract=contract.name,
                lessee=self.partner_id.display_name,
            )
        if contract and contract.start_date and self.date < contract.start_date:
            return self.env._(
                "The statement date %(date)s comes before %(contract)s started (%(start)s): choose %(start)s or a "
                "later day.",
                date=format_date(self.env, self.date),
                contract=contract.name,
                start=format_date(self.env, contract.start_date),
            )
        return False

    def _statement_contracts(self):
        """The leases of the statement: its lease, or the lessee's leases of its company with a
        ledger that had started by the date."""
        self.ensure_one()
        if self.contract_id:
            return self.contract_id
        return self.env["leasing.contract"].search(
            [
                ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", STATEMENT_CONTRACT_STATES),
                ("start_date", "<=", self.date),
            ],
            order="start_date, id",
        )

    def _statement_data(self):
        """Every figure of the statement, worked out once from the ledger as it stood at the end
        of the statement's date, as plain data for the screen and the PDF:

        * ``error``: why there is no statement (a refused date, no lease, several currencies);
        * ``currency``, ``date``, ``close_date`` (of the penalty figures);
        * ``contracts``: a section per lease: ``contract``, ``lines`` (a dict per schedule line
          and per other invoice of the lease: status, amount, paid amount and date, days past
          due, penalty), ``payments`` (what the ledger matched with the lease's invoices),
          ``totals``, ``deposit_held``, ``payoff`` (the payoff wizard's quote, or None) and
          ``payoff_error`` (why there is none);
        * ``totals``: the sums over the leases; ``customer_balance``: the lessee's unallocated
          payments and credit notes.

        The user reads the leases (record rules included); the ledger behind them is read by
        SQL, as the contract's own ledger figures are read as superuser."""
        self.ensure_one()
        error = self._date_error()
        if error:
            return {"error": error}
        contracts = self._statement_contracts()
        contracts.check_access("read")
        if not contracts:
            return {
                "error": self.env._(
                    "%(lessee)s has no lease in force or closed in %(company)s on %(date)s.",
                    lessee=self.partner_id.display_name,
                    company=self.company_id.name,
                    date=format_date(self.env, self.date),
                )
            }
        currency = contracts.currency_id
        if len(currency) > 1:
            return {
                "error": self.env._(
                    "The leases of %(lessee)s are in several currencies (%(currencies)s): pick one lease.",
                    lessee=self.partner_id.display_name,
                    currencies=", ".join(currency.mapped("name")),
                )
            }
        date = self.date
        rounding = currency._leasing_rounding()

        def money(value):
            return round_exact(value, rounding)

        receivables, matches = self._ledger_receivables(contracts, date)
        deposits = self._ledger_deposits(contracts, date)
        statuses = dict(self.env["leasing.debt.statement.line"]._fields["status"]._description_selection(self.env))
        sections, grand = [], defaultdict(float)
        for contract in contracts:
            lines, rows = [], []
            for line in contract.schedule_line_ids.filtered(lambda line: not line.cancelled).sorted("sequence"):
                receivable = receivables.pop(("line", line.id), None)
                if receivable:
                    amount, payments = receivable["amount"], receivable["payments"]
                else:
                    amount, payments = line.amount, ()
                rows.append(
                    (line, None, statement_line(line.id, line.due_date, amount, bool(receivable), payments, date))
                )
            # The lease's other invoices (up-front, payoff, penalty...), and the invoice of an
            # instalment cancelled since: what they ask for is owed all the same.
            for key in sorted(k for k in receivables if receivables[k]["contract"] == contract.id):
                receivable = receivables.pop(key)
                rows.append(
                    (
                        None,
                        receivable,
                        statement_line(
                            key, receivable["due_date"], receivable["amount"], True, receivable["payments"], date
                        ),
                    )
                )
            rows.sort(key=lambda row: (row[0].due_date if row[0] else row[1]["due_date"], row[0] is None))
            for line, receivable, figures in rows:
                lines.append(
                    {
                        "schedule_line": line,
                        "label": str(line.sequence) if line else receivable["label"],
                        "due_date": line.due_date if line else receivable["due_date"],
                        "status": figures.status,
                        "status_label": statuses[figures.status],
                        "amount": money(figures.amount),
                        "paid": money(figures.paid),
                        "unpaid": money(figures.unpaid),
                        "last_payment_date": figures.last_payment_date,
                        "days_past_due": figures.days_past_due,
                        "penalty_accrued": line.penalty_accrued if line else 0.0,
                        "penalty_invoiced": line.penalty_invoiced if line else 0.0,
                        "penalty_waived": line.penalty_waived if line else 0.0,
                        "penalty_due": line.penalty_due if line else 0.0,
                    }
                )
            totals = statement_totals([figures for _line, _receivable, figures in rows], money)
            # The penalty invoices are lines of their own, in overdue or not yet due: the penalty
            # due is only what is not invoiced yet, the invoiced and waived parts shown apart.
            for key in ("penalty_due", "penalty_invoiced", "penalty_waived"):
                totals[key] = money(sum(line[key] for line in lines))
            totals["deposit_held"] = currency.round(deposits.get(contract.id, 0.0))
            totals["total"] = money(sum(totals[key] for key in ("overdue", "not_due", "not_invoiced", "penalty_due")))
            payoff, payoff_error = self._payoff_quote(contract, date)
            totals["payoff"] = payoff["total"] if payoff else 0.0
            for key, value in totals.items():
                grand[key] += value
            sections.append(
                {
                    "contract": contract,
                    "lines": lines,
                    "payments": matches.get(contract.id, []),
                    "totals": totals,
                    "payoff": payoff,
                    "payoff_error": payoff_error,
                }
            )
        return {
            "error": False,
            "currency": currency,
            "date": date,
            "close_date": min(contracts.filtered("figures_date").mapped("figures_date"), default=False),
            "contracts": sections,
            "totals": {key: currency.round(value) for key, value in grand.items()},
            "customer_balance": self._ledger_customer_balance(contracts, date),
        }

    def _line_vals(self, contract, row):
        return {
            "contract_id": contract.id,
            "schedule_line_id": row["schedule_line"].id if row["schedule_line"] else False,
            "label": row["label"],
            "due_date": row["due_date"],
            "status": row["status"],
            "amount": row["amount"],
            "amount_paid": row["paid"],
            "amount_unpaid": row["unpaid"],
            "last_payment_date": row["last_payment_date"],
            "days_past_due": row["days_past_due"],
            "penalty_accrued": row["penalty_accrued"],
            "penalty_invoiced": row["penalty_invoiced"],
            "penalty_waived": row["penalty_waived"],
            "penalty_due": row["penalty_due"],
        }

    @api.model
    def _ledger_receivables(self, contracts, date):
        """What the leases' posted invoices asked for and what paid them, as of ``date``, in a
        few statements: ``(receivables, matches)``.

        ``receivables``: {("line", schedule line id) or ("move", move id): {"contract", "amount",
        "due_date", "label", "payments"}}, an entry per instalment invoice (keyed by its schedule
        line) and per other invoice of a lease (up-front, payoff, penalty...), with the
        receivable amount (taxes included) and its payments as (date, amount) pairs, each dated
        when it counts (the later of the two entries' dates, Odoo's ``max_date``).
        ``matches``: {contract id: [payment dicts]}, what paid the lease's invoices by ``date``,
        per payment or credit note: date, reference, kind and amount applied to the lease."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT rl.id, m.id AS move_id, m.name, m.leasing_contract_id, m.leasing_schedule_line_id,
                       m.leasing_move_kind, rl.amount_currency, rl.date_maturity
                  FROM account_move m
                  JOIN account_move_line rl ON rl.move_id = m.id
                  JOIN account_account a ON a.id = rl.account_id AND a.account_type = 'asset_receivable'
                 WHERE m.leasing_contract_id IN %(contracts)s
                   AND m.state = 'posted'
                   AND m.date <= %(date)s
                   AND rl.balance > 0
                 ORDER BY rl.date_maturity, rl.id
                """,
                contracts=tuple(contracts.ids),
                date=date,
            )
        )
        debits = self.env.cr.dictfetchall()
        kinds = dict(self.env["account.move"]._fields["leasing_move_kind"]._description_selection(self.env))
        receivables, by_line = {}, {}
        for row in debits:
            line_id = row["leasing_schedule_line_id"]
            key = (
                ("line", line_id) if line_id and row["leasing_move_kind"] == "installment" else ("move", row["move_id"])
            )
            entry = receivables.setdefault(
                key,
                {
                    "contract": row["leasing_contract_id"],
                    "amount": 0.0,
                    "due_date": row["date_maturity"],
                    "label": " ".join(filter(None, (kinds.get(row["leasing_move_kind"]), row["name"]))),
                    "payments": [],
                },
            )
            entry["amount"] += row["amount_currency"]
            entry["due_date"] = min(entry["due_date"], row["date_maturity"])
            by_line[row["id"]] = entry
        if not by_line:
            return receivables, {}
        self.env.cr.execute(
            SQL(
                """
                SELECT pr.debit_move_id, pr.debit_amount_currency, pr.max_date,
                       cm.id AS move_id, cm.name, cm.move_type, cm.date, dm.leasing_contract_id
                  FROM account_partial_reconcile pr
                  JOIN account_move_line dl ON dl.id = pr.debit_move_id
                  JOIN account_move dm ON dm.id = dl.move_id
                  JOIN account_move_line cl ON cl.id = pr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                 WHERE pr.debit_move_id IN %(lines)s
                   AND pr.max_date <= %(date)s
                 ORDER BY pr.max_date, cm.id
                """,
                lines=tuple(by_line),
                date=date,
            )
        )
        applied = {}
        for row in self.env.cr.dictfetchall():
            if not row["debit_amount_currency"]:
                continue
            by_line[row["debit_move_id"]]["payments"].append((row["max_date"], row["debit_amount_currency"]))
            key = (row["leasing_contract_id"], row["move_id"])
            if key not in applied:
                applied[key] = {
                    "date": row["date"],
                    "reference": row["name"],
                    "kind": "refund" if row["move_type"] == "out_refund" else "payment",
                    "amount": 0.0,
                }
            applied[key]["amount"] += row["debit_amount_currency"]
        matches = defaultdict(list)
        for (contract_id, _move_id), payment in applied.items():
            matches[contract_id].append(payment)
        currencies = {contract.id: contract.currency_id for contract in contracts}
        for contract_id, payments in matches.items():
            for payment in payments:
                payment["amount"] = currencies[contract_id].round(payment["amount"])
            payments.sort(key=lambda payment: (payment["date"], payment["reference"]))
        return receivables, dict(matches)

    @api.model
    def _ledger_deposits(self, contracts, date):
        """{contract id: deposit held at the end of ``date``}: the balance of each lease's
        deposits-held account, in its currency."""
        # The deposits account's journal items, summed for leases the user reads (checked by the
        # caller), whatever their accounting rights: the contract shows the same figure.
        MoveLine = self.env["account.move.line"].sudo()
        return {
            contract.id: -amount
            for contract, amount in MoveLine._read_group(
                [
                    ("leasing_contract_id", "in", contracts.ids),
                    ("parent_state", "=", "posted"),
                    ("account_id", "in", contracts.plan_id.deposit_account_id.ids),
                    ("date", "<=", date),
                ],
                ["leasing_contract_id"],
                ["amount_currency:sum"],
            )
        }

    @api.model
    def _ledger_customer_balance(self, contracts, date):
        """The lessee's balance at the end of ``date``: their receivable credits (payments, credit
        notes) posted by then, less what the ledger had matched with them by then, in the leases'
        currency (a credit in another currency converted at the date's rate), as the contract's
        ``customer_balance`` counts it today."""
        contract = contracts[:1]
        currency, company = contract.currency_id, contract.company_id
        self.env.cr.execute(
            SQL(
                """
                SELECT cl.currency_id, cl.amount_currency, cl.balance,
                       COALESCE(SUM(pr.credit_amount_currency), 0) AS matched_currency,
                       COALESCE(SUM(pr.amount), 0) AS matched
                  FROM account_move_line cl
                  JOIN account_account a ON a.id = cl.account_id AND a.account_type = 'asset_receivable'
                  JOIN res_partner p ON p.id = cl.partner_id
             LEFT JOIN account_partial_reconcile pr ON pr.credit_move_id = cl.id AND pr.max_date <= %(date)s
                 WHERE p.commercial_partner_id = %(partner)s
                   AND cl.company_id = %(company)s
                   AND cl.parent_state = 'posted'
                   AND cl.date <= %(date)s
                   AND cl.balance < 0
                 GROUP BY cl.id
                """,
                partner=contract.partner_id.commercial_partner_id.id,
                company=company.id,
                date=date,
            )
        )
        balance = 0.0
        for currency_id, amount_currency, amount, matched_currency, matched in self.env.cr.fetchall():
            if currency_id == currency.id:
                balance -= amount_currency + matched_currency
            else:
                balance -= company.currency_id._convert(amount + matched, currency, company, date)
        return currency.round(max(balance, 0.0))

    @api.model
    def _payoff_quote(self, contract, date):
        """``(quote, error)``: the early payoff wizard's quote for ``contract`` on ``date``
        (leasing_management's own computation), or None and why it cannot be paid off then."""
        # A quote only, never confirmed: read with the wizard's own rules, for a lease the user
        # reads, whatever their right to pay leases off (the wizard's confirmation checks that).
        wizard_sudo = self.env["leasing.payoff.wizard"].sudo().new({"contract_id": contract.id, "payoff_date": date})
        error = wizard_sudo._payoff_error()
        if error:
            return None, error
        return wizard_sudo._quote(), False
