from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date
from odoo.tools.misc import formatLang

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"
# The lines the daily close may read, as a condition on the table: invoiced, or left with figures
# by an earlier close. A partial index on it lets the close find them lease by lease without
# visiting every line of the schedules (60 a lease).
CLOSE_LINES = SQL("(invoice_id IS NOT NULL OR days_past_due != 0 OR penalty_accrued != 0 OR penalty_due != 0)")

# What paid a schedule line ``l`` (a row with ``id`` and ``invoice_id``): the receivable lines
# of its posted invoice (rl; the invoice's state as its journal items hold it, parent_state: one
# join fewer), each reconciliation with a payment or a credit note (pr) and the payment's date
# (cl). Read with the lines that need them, in the same statement (leasing.contract's
# _collections_gather_payments makes them {line id: (amount, payments)}); NULLs when ``condition``
# is false or nothing matches.
PAYMENT_COLUMNS = SQL("rl.id, rl.amount_currency, pr.id, pr.debit_amount_currency, cl.date")


def payment_joins(condition):
    return SQL(
        """
        LEFT JOIN account_move_line rl ON %s AND rl.move_id = l.invoice_id AND rl.parent_state = 'posted'
                                      AND rl.display_type = 'payment_term'
        LEFT JOIN account_partial_reconcile pr ON pr.debit_move_id = rl.id
        LEFT JOIN account_move_line cl ON cl.id = pr.credit_move_id
        """,
        condition,
    )


class LeasingScheduleLine(models.Model):
    _inherit = "leasing.schedule.line"

    # Set by the daily close (leasing.contract._cron_collections_close), as of its date, from the
    # ledger: the invoice's payments and their dates. Nobody else sets them.
    days_past_due = fields.Integer(
        readonly=True,
        index=True,
        copy=False,
        aggregator="max",
        help="Close date less the due date while the instalment is unpaid, 0 otherwise (as of the last close).",
    )
    penalty_accrued = fields.Monetary(
        readonly=True,
        copy=False,
        aggregator="sum",
        help="Penalty interest on the unpaid amount of each day past the due date, to the last close: "
        "unpaid amount x daily rate, grace and cap of the plan, rounded once.",
    )
    # From the ledger: the penalty lines of the posted invoices less their credit notes, and the
    # waivers. Never incremented: recomputed whenever a penalty invoice or waiver changes.
    penalty_invoiced = fields.Monetary(
        compute="_compute_penalty_invoiced",
        store=True,
        copy=False,
        aggregator="sum",
        help="Part of the penalty accrued already invoiced to the lessee: the penalty lines of the posted invoices "
        "of this instalment, less their credit notes.",
    )
    penalty_waived = fields.Monetary(
        compute="_compute_penalty_waived",
        store=True,
        copy=False,
        aggregator="sum",
        help="Part of the penalty accrued that was waived.",
    )
    penalty_due = fields.Monetary(
        compute="_compute_penalty_due",
        store=True,
        aggregator="sum",
        help="Penalty accrued, less invoiced, less waived.",
    )
    penalty_move_line_ids = fields.One2many(
        "account.move.line", "leasing_penalty_line_id", string="Penalty Invoice Lines", readonly=True
    )
    penalty_waiver_ids = fields.One2many(
        "leasing.penalty.waiver", "schedule_line_id", string="Penalty Waivers", readonly=True
    )

    @api.depends(
        "penalty_move_line_ids.parent_state",
        "penalty_move_line_ids.price_unit",
        "penalty_move_line_ids.quantity",
        "penalty_move_line_ids.display_type",
        "penalty_move_line_ids.move_id.move_type",
    )
    def _compute_penalty_invoiced(self):
        for line in self:
            invoiced = sum(
                (-1 if move_line.move_id.move_type == "out_refund" else 1) * move_line.price_unit * move_line.quantity
                for move_line in line.penalty_move_line_ids
                if move_line.parent_state == "posted" and move_line.display_type == "product"
            )
            line.penalty_invoiced = line.currency_id.round(invoiced)

    @api.depends(
        "penalty_waiver_ids.amount", "penalty_waiver_ids.amount_credited", "penalty_waiver_ids.credit_note_id.state"
    )
    def _compute_penalty_waived(self):
        for line in self:
            waived = sum(
                waiver.amount
                - waiver.amount_credited
                + (waiver.amount_credited if waiver.credit_note_id.state == "posted" else 0.0)
                for waiver in line.penalty_waiver_ids
            )
            line.penalty_waived = line.currency_id.round(waived)

    # To find the late instalments by their lease's bucket and plan.
    aging_bucket_id = fields.Many2one(related="contract_id.aging_bucket_id", string="Lease's Aging Bucket")
    plan_id = fields.Many2one(related="contract_id.plan_id", string="Financing Plan")

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS leasing_schedule_line_close_idx"
                " ON leasing_schedule_line (contract_id) WHERE %s",
                CLOSE_LINES,
            )
        )
        return res

    @api.depends("penalty_accrued", "penalty_invoiced", "penalty_waived")
    def _compute_penalty_due(self):
        for line in self:
            due = line.penalty_accrued - line.penalty_invoiced - line.penalty_waived
            line.penalty_due = line.currency_id.round(due)

    # ------------------------------------------------------------------
    # Penalty waivers
    # ------------------------------------------------------------------
    def _leasing_waive_penalty(self, amount, reason, date=None):
        """Waive ``amount`` of this instalment's penalty interest for ``reason``: first what is
        not invoiced yet (it is then never invoiced), then, for the rest, a credit note on the
        penalty invoices of the instalment (the latest first). Never more than the penalty
        accrued and not yet waived. Collection Managers only. Return the waivers created."""
        self.ensure_one()
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager may waive penalty interest."))
        currency = self.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The penalty interest to waive must be more than zero."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the penalty interest is waived."))
        date = date or fields.Date.context_today(self)
        amount = currency.round(amount)
        # The lease's billing and other waivers wait: what is invoiced is read once this holds.
        self.contract_id._leasing_lock_for_penalty()
        invoiced = currency.round(self.env["account.move"]._leasing_penalty_ledger(self.ids).get(self.id, (0.0,))[0])
        self.invalidate_recordset(["penalty_accrued", "penalty_waived"])
        uninvoiced = max(currency.round(self.penalty_accrued - invoiced - self.penalty_waived), 0.0)
        waivable = currency.round(uninvoiced + max(invoiced, 0.0))
        if currency.compare_amounts(amount, waivable) > 0:
            raise UserError(
                self.env._(
                    "Instalment %(sequence)s of %(contract)s owes %(waivable)s of penalty interest that can be waived "
                    "(%(uninvoiced)s not invoiced yet, %(invoiced)s invoiced): %(amount)s cannot be waived.",
                    sequence=self.sequence,
                    contract=self.contract_id.name,
                    waivable=formatLang(self.env, waivable, currency_obj=currency),
                    uninvoiced=formatLang(self.env, uninvoiced, currency_obj=currency),
                    invoiced=formatLang(self.env, invoiced, currency_obj=currency),
                    amount=formatLang(self.env, amount, currency_obj=currency),
                )
            )
        before_invoicing = min(amount, uninvoiced)
        vals_list = []
        if not currency.is_zero(before_invoicing):
            vals_list.append(self._leasing_waiver_vals(before_invoicing, reason, date))
        credit_notes = self._leasing_penalty_credit_notes(currency.round(amount - before_invoicing), reason, date)
        for credit_note, credited in credit_notes:
            vals_list.append(dict(self._leasing_waiver_vals(credited, reason, date), credit_note_id=credit_note.id))
            vals_list[-1]["amount_credited"] = credited
        # The waivers are the system's record of what this checked call did.
        waivers = self.env["leasing.penalty.waiver"].sudo().create(vals_list)
        # The lease's chatter records the waiver, whoever waived (collectors only read leases).
        self.contract_id.sudo().message_post(
            body=self.env._(
                "Penalty interest of instalment %(sequence)s waived: %(amount)s (%(reason)s).",
                sequence=self.sequence,
                amount=formatLang(self.env, amount, currency_obj=currency),
                reason=reason,
            )
        )
        return waivers.sudo(False)

    def _leasing_waiver_vals(self, amount, reason, date):
        return {
            "schedule_line_id": self.id,
            "amount": amount,
            "amount_credited": 0.0,
            "reason": reason,
            "date": date,
            "user_id": self.env.uid,
        }

    def _leasing_penalty_credit_notes(self, amount, reason, date):
        """Credit ``amount`` of this instalment's invoiced penalty back, on its penalty invoices
        the latest first, each no further than what it still bills for the instalment: posted
        credit notes, set against their invoice while it is open. Return [(credit note,
        amount)]."""
        self.ensure_one()
        currency = self.currency_id
        if currency.is_zero(amount):
            return []
        # The instalment's penalty invoice lines, whoever waives (collectors may not read invoices):
        # the caller checked the right to waive.
        lines_sudo = self.sudo().penalty_move_line_ids.filtered(
            lambda line: line.parent_state == "posted" and line.display_type == "product"
        )
        billed = lines_sudo.filtered(lambda line: line.move_id.move_type == "out_invoice")
        # What each invoice still bills for this instalment: its lines less its credit notes'.
        net = defaultdict(float)
        for line in lines_sudo:
            move = line.move_id
            if move.move_type == "out_invoice":
                net[move] += line.price_unit * line.quantity
            elif move.reversed_entry_id:
                net[move.reversed_entry_id] -= line.price_unit * line.quantity
        vals_list, parts = [], []
        for line in billed.sorted(lambda line: (line.move_id.invoice_date, line.move_id.id), reverse=True):
            invoice = line.move_id
            part = currency.round(min(amount, net[invoice]))
            if currency.compare_amounts(part, 0.0) <= 0:
                continue
            net[invoice] -= part
            amount = currency.round(amount - part)
            parts.append((invoice, part))
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "journal_id": invoice.journal_id.id,
                    "currency_id": invoice.currency_id.id,
                    "invoice_date": date,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.invoice_origin,
                    "ref": self.env._(
                        "%(invoice)s - penalty interest waived: %(reason)s", invoice=invoice.name, reason=reason
                    ),
                    "leasing_contract_id": invoice.leasing_contract_id.id,
                    "leasing_move_kind": "penalty",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Penalty interest of instalment %(sequence)s waived", sequence=self.sequence
                                ),
                                "account_id": line.account_id.id,
                                "quantity": 1.0,
                                "price_unit": part,
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                                "leasing_penalty_line_id": self.id,
                            }
                        )
                    ],
                }
            )
            if currency.is_zero(amount):
                break
        if not vals_list:
            return []
        # The lease's documents are the system's, issued once the waiver is checked.
        credit_notes_sudo = self.env["account.move"].sudo().with_context(mail_create_nolog=True).create(vals_list)
        credit_notes_sudo.action_post()
        for credit_note, (invoice, _part) in zip(credit_notes_sudo, parts):
            receivables = (credit_note.line_ids | invoice.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
            )
            if len(receivables.move_id) == 2:
                receivables.reconcile()
        return [(credit_note.sudo(False), part) for credit_note, (_invoice, part) in zip(credit_notes_sudo, parts)]

    def _leasing_penalty_label(self, date_from, date_to):
        """Label of a penalty invoice line of this instalment, for the days it covers."""
        self.ensure_one()
        return self.env._(
            "%(contract)s - penalty interest of instalment %(sequence)s (due %(due)s): %(start)s to %(end)s, "
            "%(days)s days",
            contract=self.contract_id.name,
            sequence=self.sequence,
            due=format_date(self.env, self.due_date),
            start=format_date(self.env, date_from),
            end=format_date(self.env, date_to),
            days=(date_to - date_from).days + 1,
        )
