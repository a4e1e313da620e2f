from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount, format_date

from ..tools.reschedule import extend_balloon, lower_installment, shorter_term


class LeasingRescheduleMixin(models.AbstractModel):
    """What the wizards that change a running lease share (partial prepayment, balloon extension,
    returned item). Each keeps the lines already invoiced, replaces the rest by the rows of the
    pure engine (``tools/reschedule.py``), updates the number of instalments and the residual
    value, and logs the old and new terms in the contract's chatter."""

    _name = "leasing.reschedule.mixin"
    _description = "Change of a Running Lease"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "leasing.contract", string="Contract", required=True, readonly=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")

    def _check_rights(self, accounting=False):
        """A change during the lease is a Leasing Manager's decision; the ones that post to the
        ledger also need invoicing rights (the entries are the user's own, not superuser's)."""
        if not self.env.user.has_group("leasing_management.group_leasing_manager"):
            raise AccessError(self.env._("Only a Leasing Manager can change the terms of an active lease."))
        if accounting and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("This change posts to the ledger: it needs the Invoicing rights as well as Leasing Manager.")
            )

    def _split(self, on_date=None):
        """What a change on ``on_date`` keeps and what it replaces.

        The future lines are those not invoiced, not cancelled and due after ``on_date``; the
        others stay as they are. An instalment due by then but not invoiced yet must be invoiced
        first (a zero one, such as an in-advance interest-only first instalment, needs no invoice).

        :return: dict with ``future`` (lines), ``kept`` (instalments kept, k), ``owed`` (their
            principal still owed), ``remaining`` (future instalments), ``residual_line``,
            ``level`` (the first future instalment: its amount for an annuity, its principal
            otherwise), ``installment`` (its amount) and ``end_date`` (the last due date).
        """
        self.ensure_one()
        contract = self.contract_id
        currency = contract.currency_id
        lines = contract.schedule_line_ids.sorted("sequence")
        open_lines = lines.filtered(lambda line: not line.invoice_id and not line.cancelled)
        if on_date:
            late = open_lines.filtered(lambda line: line.due_date <= on_date and not currency.is_zero(line.amount))
            if late:
                raise UserError(
                    self.env._(
                        "%(contract)s has instalments due by %(date)s that are not invoiced yet (#%(sequences)s): "
                        "invoice them first (Invoice Due Instalments), or choose an earlier date.",
                        contract=contract.name,
                        date=format_date(self.env, on_date),
                        sequences=", #".join(str(s) for s in late.mapped("sequence")),
                    )
                )
            future = open_lines.filtered(lambda line: line.due_date > on_date)
        else:
            future = open_lines
        past_installments = (lines - future).filtered(lambda line: line.line_type == "installment")
        kept = max(past_installments.mapped("sequence"), default=0)
        if any(line.sequence <= kept for line in future):
            raise UserError(
                self.env._(
                    "The instalments of %(contract)s were not invoiced in order: invoice the earlier ones first.",
                    contract=contract.name,
                )
            )
        installments = future.filtered(lambda line: line.line_type == "installment")
        first = installments[:1]
        return {
            "future": future,
            "kept": kept,
            "owed": currency.round(sum(future.mapped("principal"))),
            "remaining": len(installments),
            "residual_line": future.filtered(lambda line: line.line_type == "residual")[:1],
            "level": first.amount if contract.repayment_method == "annuity" else first.principal,
            "installment": first.amount,
            "end_date": lines[-1:].due_date,
        }

    def _new_rows(self, mode, balance, remaining, kept, residual=0.0, level=0.0):
        """The new rows from the engine (``mode``: ``lower``, ``shorter``), a clear error otherwise."""
        self.ensure_one()
        contract = self.contract_id
        args = (contract.period_months, contract.repayment_method, contract.payment_timing, contract.start_date, kept)
        rounding = contract.currency_id._leasing_rounding()
        try:
            if mode == "shorter":
                # Fewer instalments, never more than are left (the last one absorbs the rounding).
                return shorter_term(
                    balance,
                    contract.rate_in_force,
                    level,
                    *args,
                    residual=residual,
                    rounding=rounding,
                    max_periods=remaining,
                )
            return lower_installment(
                balance, contract.rate_in_force, remaining, *args, residual=residual, rounding=rounding
            )
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The schedule of %(contract)s cannot be recomputed: %(error)s", contract=contract.name, error=error
                )
            ) from error

    def _extension_rows(self, residual_line, extra, annual_rate):
        self.ensure_one()
        contract = self.contract_id
        try:
            return extend_balloon(
                residual_line.principal,
                annual_rate,
                extra,
                contract.period_months,
                contract.payment_timing,
                contract.start_date,
                residual_line.sequence - 1,
                rounding=contract.currency_id._leasing_rounding(),
            )
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The residual of %(contract)s cannot be extended: %(error)s", contract=contract.name, error=error
                )
            ) from error

    def _replace(self, old_lines, rows, vals=None):
        """Replace ``old_lines`` (future lines of the active contract) by the engine's ``rows``
        and write ``vals`` (the new number of instalments, residual value) on the contract."""
        self.ensure_one()
        contract = self.contract_id
        for row in rows:
            row.update(contract_id=contract.id, company_id=contract.company_id.id)
        # The schedule of an active lease is the system's: rewritten as superuser, once the wizard
        # has checked the change and the user's rights.
        old_lines.sudo().unlink()
        self.env["leasing.schedule.line"].sudo()._insert_rows(rows)
        if vals:
            contract._write_system(vals)

    @api.model
    def _summary(self, rows, kept_end_date=None):
        """Instalment, count, last due date and principal of the rows (engine rows or lines).
        The instalment is the first row's amount (a residual line's when it is alone)."""
        installments = [row for row in rows if row["line_type"] == "installment"]
        return {
            "installment": rows[0]["amount"] if rows else 0.0,
            "count": len(installments),
            "end_date": rows[-1]["due_date"] if rows else kept_end_date,
            "balance": sum(row["principal"] for row in rows),
        }

    def _log(self, title, old, new, note=None):
        """Post ``title`` and the old and new terms (dicts of ``_summary``) on the contract."""
        self.ensure_one()
        currency = self.contract_id.currency_id

        def money(value):
            return format_amount(self.env, value, currency)

        labels = [
            (self.env._("Instalment"), money(old["installment"]), money(new["installment"])),
            (self.env._("Remaining instalments"), old["count"], new["count"]),
            (
                self.env._("Last due date"),
                format_date(self.env, old["end_date"]),
                format_date(self.env, new["end_date"]),
            ),
            (self.env._("Principal owed"), money(old["balance"]), money(new["balance"])),
        ]
        rows = Markup().join(Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % label for label in labels)
        body = Markup(
            "<p>%s</p><table class='table table-sm'><thead><tr><th></th><th>%s</th><th>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (title, self.env._("Before"), self.env._("After"), rows)
        if note:
            body += Markup("<p>%s</p>") % note
        self.contract_id.message_post(body=body)
