from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from ..tools import MAX_MONTHS, MAX_TERM


class LeasingExtensionWizard(models.TransientModel):
    """Extend the balloon: the residual value of an active lease, instead of falling due at the
    end, is refinanced over further level instalments (annuity, same period and timing,
    continuing the calendar). The contract's residual value becomes zero. Nothing is posted: the
    residual's principal stays in the net investment and is invoiced with the new instalments."""

    _name = "leasing.extension.wizard"
    _description = "Balloon Extension of a Lease"
    _inherit = ["leasing.reschedule.mixin"]
    extra_count = fields.Integer(
        string="Further Instalments",
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        help="Number of instalments the residual value is spread over.",
    )
    annual_rate = fields.Float(
        string="Annual Rate (%)",
        digits=(16, 4),
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        help="Rate of the extension; the contract's rate by default.",
    )
    residual_amount = fields.Monetary(string="Residual Value", compute="_compute_preview")
    new_installment = fields.Monetary(string="New Instalment", compute="_compute_preview")
    new_end_date = fields.Date(string="New Last Due Date", compute="_compute_preview")
    preview_error = fields.Char(compute="_compute_preview")

    @api.depends("contract_id")
    def _compute_defaults(self):
        for wizard in self:
            contract = wizard.contract_id
            # A year of further instalments by default.
            wizard.extra_count = max(1, 12 // (contract.period_months or 12))
            wizard.annual_rate = contract.rate_in_force

    @api.depends("contract_id", "extra_count", "annual_rate")
    def _compute_preview(self):
        for wizard in self:
            values = {"residual_amount": 0.0, "new_installment": 0.0, "new_end_date": False, "preview_error": False}
            if wizard.contract_id.state == "active":
                values["residual_amount"] = wizard.contract_id._reschedule_residual_line().amount
                try:
                    _line, rows = wizard._prepare_extension()
                except UserError as error:
                    values["preview_error"] = error.args[0]
                else:
                    values.update(new_installment=rows[0]["amount"], new_end_date=rows[-1]["due_date"])
            wizard.update(values)

    def _prepare_extension(self):
        """Check the extension and compute the new rows; nothing is written.

        :return: (residual line, rows)
        :raise UserError: with what to change.
        """
        self.ensure_one()
        contract = self.contract_id
        contract._reschedule_check_active()
        residual_line = contract._reschedule_residual_line()
        if not residual_line:
            raise UserError(
                self.env._(
                    "%(contract)s has no residual value left to extend: it has none, or it is already invoiced.",
                    contract=contract.name,
                )
            )
        if self.extra_count < 1:
            raise UserError(self.env._("Spread the residual value over at least one further instalment."))
        total = residual_line.sequence - 1 + self.extra_count
        if total > MAX_TERM or total * contract.period_months > MAX_MONTHS:
            raise UserError(
                self.env._(
                    "With %(count)s further instalments %(contract)s would run for more than %(term)s instalments "
                    "or %(years)s years.",
                    count=self.extra_count,
                    contract=contract.name,
                    term=MAX_TERM,
                    years=MAX_MONTHS // 12,
                )
            )
        if not 0.0 <= self.annual_rate <= 100.0:
            raise UserError(
                self.env._("The annual rate must lie between 0 and 100 %%, not %(rate)s %%.", rate=self.annual_rate)
            )
        rows = self._extension_rows(residual_line, self.extra_count, self.annual_rate)
        return residual_line, rows

    def action_confirm(self):
        self.ensure_one()
        contract = self.contract_id
        self._check_rights()
        residual_line, rows = self._prepare_extension()
        old = self._summary(residual_line)
        new = self._summary(rows)
        residual = residual_line.amount
        kept = residual_line.sequence - 1
        self._replace(
            residual_line,
            rows,
            # The extension's rate is the lease's from now on, for every later change and quote.
            {"term": kept + len(rows), "residual_value": 0.0, "rate_in_force": self.annual_rate},
        )
        self._log(
            self.env._(
                "Balloon extended: the residual value of %(residual)s becomes %(count)s further instalments "
                "at %(rate)s %% a year; the residual value is now zero.",
                residual=format_amount(self.env, residual, contract.currency_id),
                count=len(rows),
                rate=self.annual_rate,
            ),
            old,
            new,
        )
        return {"type": "ir.actions.act_window_close"}
