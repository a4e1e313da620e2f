from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount, format_date

from ..tools import MAX_AMOUNT, accrued_interest

MODES = [
    ("lower", "Lower Instalment (same term)"),
    ("shorter", "Shorter Term (same instalment)"),
]


class LeasingPrepaymentWizard(models.TransientModel):
    """Partial prepayment of principal on an active lease.

    Confirming posts a customer invoice for the prepaid principal (credited to the net investment
    in the lease, with the principal taxes) and for the interest that principal has accrued since
    the due date of the last instalment invoiced (by actual days, as the early payoff counts it,
    with the interest taxes), and replaces the instalments not yet invoiced by the remaining
    balance rescheduled: the same instalment over fewer periods, or a lower instalment over the
    same periods (``tools/reschedule.py``)."""

    _name = "leasing.prepayment.wizard"
    _description = "Partial Prepayment of a Lease"
    _inherit = ["leasing.reschedule.mixin"]
    amount = fields.Monetary(string="Prepaid Principal", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    mode = fields.Selection(MODES, string="Reschedule", required=True, default="lower")

    amount_owed = fields.Monetary(string="Principal Owed", compute="_compute_preview")
    accrual_start = fields.Date(string="Interest From", compute="_compute_preview")
    interest_amount = fields.Monetary(
        string="Interest on the Prepaid Principal",
        compute="_compute_preview",
        help="The prepaid principal x the annual rate x the days since the due date of the last instalment "
        "invoiced / 365: no instalment will charge it.",
    )
    current_installment = fields.Monetary(string="Current Instalment", compute="_compute_preview")
    current_count = fields.Integer(string="Instalments Left", compute="_compute_preview")
    new_installment = fields.Monetary(string="New Instalment", compute="_compute_preview")
    new_count = fields.Integer(string="New Instalments Left", compute="_compute_preview")
    new_end_date = fields.Date(string="New Last Due Date", compute="_compute_preview")
    preview_error = fields.Char(compute="_compute_preview")

    @api.depends("contract_id", "amount", "date", "mode")
    def _compute_preview(self):
        for wizard in self:
            values = dict.fromkeys(
                (
                    "amount_owed",
                    "interest_amount",
                    "current_installment",
                    "current_count",
                    "new_installment",
                    "new_count",
                ),
                0,
            )
            values.update(new_end_date=False, accrual_start=False, preview_error=False)
            if wizard.contract_id.state == "active" and wizard.date and wizard.currency_id.is_zero(wizard.amount):
                # Nothing typed yet: what the lease owes now, and no complaint.
                values.update(wizard._current_terms())
            elif wizard.contract_id.state == "active" and wizard.date:
                try:
                    plan = wizard._prepare_reschedule()
                except UserError as error:
                    values["preview_error"] = error.args[0]
                    values.update(wizard._current_terms())
                else:
                    new = plan["new"]
                    values.update(
                        amount_owed=plan["split"]["owed"],
                        accrual_start=plan["accrual_start"],
                        interest_amount=plan["interest"],
                        current_installment=plan["old"]["installment"],
                        current_count=plan["old"]["count"],
                        new_installment=new["installment"],
                        new_count=new["count"],
                        new_end_date=new["end_date"],
                    )
            wizard.update(values)

    def _current_terms(self):
        """What the contract owes now, for the screen, whatever is wrong with the prepayment."""
        try:
            split = self._split()
        except UserError:
            return {}
        return {
            "amount_owed": split["owed"],
            "current_installment": split["installment"],
            "current_count": split["remaining"],
        }

    def _prepare_reschedule(self):
        """Check the prepayment and compute the new rows; nothing is written.

        :raise UserError: with what to change.
        """
        self.ensure_one()
        contract = self.contract_id
        contract._reschedule_check_active()
        currency = contract.currency_id
        if currency.compare_amounts(self.amount, 0.0) <= 0 or self.amount >= MAX_AMOUNT:
            raise UserError(self.env._("Enter the principal prepaid: an amount above zero."))
        if self.date < contract.start_date or self.date > contract.end_date:
            raise UserError(
                self.env._(
                    "%(contract)s runs from %(start)s to %(end)s: date the prepayment within them.",
                    contract=contract.name,
                    start=format_date(self.env, contract.start_date),
                    end=format_date(self.env, contract.end_date),
                )
            )
        split = self._split(self.date)
        owed = split["owed"]

        def money(value):
            return format_amount(self.env, value, currency)

        if currency.compare_amounts(self.amount, owed) > 0:
            raise UserError(
                self.env._(
                    "%(amount)s is more than the principal %(contract)s still owes (%(owed)s, not invoiced yet): "
                    "prepay at most %(owed)s.",
                    amount=money(self.amount),
                    contract=contract.name,
                    owed=money(owed),
                )
            )
        if not split["remaining"]:
            raise UserError(
                self.env._(
                    "Only the residual value of %(contract)s is left to invoice: there is no instalment to reschedule.",
                    contract=contract.name,
                )
            )
        residual_line = split["residual_line"]
        balance = currency.round(owed - self.amount)
        # At least some principal must stay in the instalments: a balance down to the residual's
        # would leave instalments of interest only.
        if currency.compare_amounts(balance, residual_line.principal) <= 0:
            most = currency.round(owed - residual_line.principal)
            raise UserError(
                self.env._(
                    "%(amount)s would repay all the principal of the instalments of %(contract)s "
                    "(%(most)s). A partial prepayment leaves at least one instalment: prepay less, "
                    "or end the lease with an early payoff.",
                    amount=money(self.amount),
                    contract=contract.name,
                    most=money(most),
                )
            )
        if self.mode == "shorter" and contract.repayment_method == "interest_only":
            raise UserError(
                self.env._(
                    "%(contract)s repays its principal with the last instalment (interest only): "
                    "choose a lower instalment.",
                    contract=contract.name,
                )
            )
        rows = self._new_rows(
            self.mode,
            balance,
            split["remaining"],
            split["kept"],
            residual=residual_line.amount,
            level=split["level"],
        )
        # The prepaid principal stops accruing interest today; none of the instalments left will
        # charge what it accrued since the last one invoiced fell due.
        invoiced = contract.schedule_line_ids.filtered(lambda line: not line.cancelled) - split["future"]
        accrual_start = max(invoiced.mapped("due_date"), default=contract.start_date)
        interest = accrued_interest(
            self.amount, contract.rate_in_force, accrual_start, self.date, currency._leasing_rounding()
        )
        return {
            "split": split,
            "rows": rows,
            "accrual_start": accrual_start,
            "interest": interest,
            "old": self._summary(split["future"]),
            "new": self._summary(rows),
        }

    def action_confirm(self):
        self.ensure_one()
        contract = self.contract_id
        self._check_rights(accounting=True)
        plan = self._prepare_reschedule()
        contract._check_accounting_setup("prepayment", figures=plan)
        # A lease document, which only the system tags: the rights were checked above.
        invoice_sudo = (
            self.env["account.move"]
            .sudo()
            .with_context(mail_create_nolog=True)
            .create(self._prepare_invoice_vals(plan))
        )
        invoice_sudo.action_post()
        invoice = invoice_sudo.sudo(False)
        kept, new = plan["split"]["kept"], plan["new"]
        vals = {"term": kept + new["count"]} if kept + new["count"] != contract.term else {}
        self._replace(plan["split"]["future"], plan["rows"], vals)
        mode = dict(self._fields["mode"]._description_selection(self.env))[self.mode]
        self._log(
            self.env._(
                "Partial prepayment of %(amount)s on %(date)s (%(mode)s), invoiced on %(invoice)s with "
                "%(interest)s of interest on it since %(start)s.",
                amount=format_amount(self.env, self.amount, contract.currency_id),
                date=format_date(self.env, self.date),
                mode=mode,
                invoice=invoice.name,
                interest=format_amount(self.env, plan["interest"], contract.currency_id),
                start=format_date(self.env, plan["accrual_start"]),
            ),
            plan["old"],
            new,
        )
        contract._allocate_payments()
        return contract._action_view_moves(invoice)

    def _prepare_invoice_vals(self, reschedule):
        """The prepayment invoice: the principal prepaid (to the lease receivable) and the
        interest it accrued (``reschedule["interest"]``, to interest income)."""
        self.ensure_one()
        contract = self.contract_id
        plan = contract.plan_id
        label = self.env._("%(contract)s - partial prepayment of principal", contract=contract.name)
        lines = contract._principal_invoice_lines(self.amount, label)
        if not contract.currency_id.is_zero(reschedule["interest"]):
            days = (self.date - reschedule["accrual_start"]).days
            lines.append(
                Command.create(
                    {
                        "name": self.env._(
                            "%(contract)s - interest on the prepaid principal (%(days)s days)",
                            contract=contract.name,
                            days=days,
                        ),
                        "account_id": plan.interest_account_id.id,
                        "quantity": 1.0,
                        "price_unit": reschedule["interest"],
                        "tax_ids": [Command.set(plan.interest_tax_ids.ids)],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": contract.partner_id.id,
            "company_id": contract.company_id.id,
            "journal_id": plan.journal_id.id,
            "currency_id": contract.currency_id.id,
            "invoice_date": self.date,
            "invoice_date_due": self.date,
            "invoice_payment_term_id": False,
            "invoice_origin": contract.name,
            "ref": label,
            "leasing_contract_id": contract.id,
            "leasing_move_kind": "prepayment",
            "invoice_line_ids": lines,
        }
