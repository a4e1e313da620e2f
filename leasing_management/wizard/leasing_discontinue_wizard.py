from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare
from odoo.tools.misc import format_amount, format_date, formatLang

from ..tools import split_share


class LeasingDiscontinueWizard(models.TransientModel):
    """Discontinue a leased item (returned, quality problem) from a date.

    The item's share of the principal still owed, its price over the price of the items still
    leased, leaves the schedule: the remaining instalments are recomputed over the same term
    (lower instalment), and the residual value is reduced by the item's share of it.

    In the ledger, the asset comes back to the lessor: a journal entry (the plan's general
    journal) credits the net investment in the lease (the plan's lease receivable) by the share
    removed and debits the assets clearing account, where the returned asset waits to be
    resold, repaired or sent back to its supplier. The lessee is not invoiced: the lower
    instalments are what they owe from then on."""

    _name = "leasing.discontinue.wizard"
    _description = "Discontinue a Leased Item"
    _inherit = ["leasing.reschedule.mixin"]
    line_id = fields.Many2one(
        "leasing.contract.line",
        string="Item",
        required=True,
        ondelete="cascade",
        check_company=True,
        domain="[('contract_id', '=', contract_id), ('discontinued', '=', False)]",
    )
    line_quantity = fields.Float(related="line_id.quantity", string="Quantity Leased")
    quantity = fields.Float(
        string="Quantity Discontinued",
        digits="Product Unit of Measure",
        compute="_compute_quantity",
        store=True,
        readonly=False,
        precompute=True,
        help="All of the line by default; less splits the line: the rest stays leased.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Text(required=True, help="Why the item is discontinued: returned, quality problem...")

    amount_owed = fields.Monetary(string="Principal Owed", compute="_compute_preview")
    share = fields.Monetary(string="Item's Share Removed", compute="_compute_preview")
    current_installment = fields.Monetary(string="Current Instalment", compute="_compute_preview")
    new_installment = fields.Monetary(string="New Instalment", compute="_compute_preview")
    preview_error = fields.Char(compute="_compute_preview")

    @api.depends("line_id")
    def _compute_quantity(self):
        for wizard in self:
            wizard.quantity = wizard.line_id.quantity

    @api.depends("contract_id", "line_id", "quantity", "date")
    def _compute_preview(self):
        for wizard in self:
            values = dict.fromkeys(("amount_owed", "share", "current_installment", "new_installment"), 0.0)
            values["preview_error"] = False
            if wizard.contract_id.state == "active" and wizard.line_id and wizard.date:
                try:
                    plan = wizard._prepare_discontinue()
                except UserError as error:
                    values["preview_error"] = error.args[0]
                else:
                    values.update(
                        amount_owed=plan["split"]["owed"],
                        share=plan["share"],
                        current_installment=plan["old"]["installment"],
                        new_installment=plan["new"]["installment"],
                    )
            wizard.update(values)

    def _prepare_discontinue(self):
        """Check the request and compute the share and the new rows; nothing is written.

        :raise UserError: with what to change.
        """
        self.ensure_one()
        contract = self.contract_id
        contract._reschedule_check_active()
        item = self.line_id
        if item.contract_id != contract or item.discontinued:
            raise UserError(self.env._("Choose an item of %(contract)s that is still leased.", contract=contract.name))
        precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        if float_compare(self.quantity, 0.0, precision_digits=precision) <= 0 or (
            float_compare(self.quantity, item.quantity, precision_digits=precision) > 0
        ):
            raise UserError(
                self.env._(
                    "The quantity discontinued must be above zero and at most %(quantity)s, the quantity of "
                    "%(item)s leased.",
                    quantity=formatLang(self.env, item.quantity, dp="Product Unit of Measure"),
                    item=item.product_id.display_name,
                )
            )
        partial = float_compare(self.quantity, item.quantity, precision_digits=precision) < 0
        leased = contract.line_ids.filtered(lambda line: not line.discontinued)
        if not leased - item and not partial:
            raise UserError(
                self.env._(
                    "%(item)s is the last item leased under %(contract)s: end the lease instead (early payoff).",
                    item=item.product_id.display_name,
                    contract=contract.name,
                )
            )
        if not contract.start_date <= self.date <= contract.end_date:
            raise UserError(
                self.env._(
                    "%(contract)s runs from %(start)s to %(end)s: an item is discontinued within them.",
                    contract=contract.name,
                    start=format_date(self.env, contract.start_date),
                    end=format_date(self.env, contract.end_date),
                )
            )
        split = self._split(self.date)
        if not split["remaining"]:
            raise UserError(
                self.env._(
                    "%(contract)s has no instalment left to reschedule after %(date)s.",
                    contract=contract.name,
                    date=format_date(self.env, self.date),
                )
            )
        currency = contract.currency_id
        total = sum(leased.mapped("price_subtotal"))
        # The share of the quantity discontinued, its price over the price of the items still
        # leased: what leaves is rounded half-up once, what stays is the exact rest (tools/money.py
        # split_share), for the principal owed and for the residual value alike.
        price = currency.round(self.quantity * item.price_unit) if partial else item.price_subtotal
        rounding = currency._leasing_rounding()
        if currency.is_zero(total):
            share, residual = 0.0, split["residual_line"].amount
        else:
            share = split_share(split["owed"], price, total, rounding)[0]
            residual = split_share(split["residual_line"].amount, price, total, rounding)[1]
        rows = []
        if not currency.is_zero(share):
            rows = self._new_rows(
                "lower",
                currency.round(split["owed"] - share),
                split["remaining"],
                split["kept"],
                residual=residual,
            )
        return {
            "partial": partial,
            "split": split,
            "share": share,
            "residual": residual,
            "rows": rows,
            "old": self._summary(split["future"]),
            "new": self._summary(rows) if rows else self._summary(split["future"]),
        }

    def action_confirm(self):
        self.ensure_one()
        contract = self.contract_id
        self._check_rights(accounting=True)
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say why the item is discontinued."))
        plan = self._prepare_discontinue()
        currency = contract.currency_id
        entry = self.env["account.move"]
        if plan["rows"]:
            contract._check_accounting_setup("discontinue")
            # A lease document, which only the system tags: the rights were checked above.
            entry_sudo = self.env["account.move"].sudo().create(self._prepare_entry_vals(plan["share"]))
            entry_sudo.action_post()
            entry = entry_sudo.sudo(False)
            vals = {}
            if currency.compare_amounts(plan["residual"], contract.residual_value):
                vals["residual_value"] = plan["residual"]
            self._replace(plan["split"]["future"], plan["rows"], vals)
        # The item's status is the system's, set once the wizard has checked the request. Part of
        # a line: the line keeps the rest, a new line carries the quantity discontinued.
        discontinued = {"discontinued": True, "discontinued_date": self.date, "discontinue_reason": self.reason}
        item_sudo = self.line_id.sudo()
        if plan["partial"]:
            leased = item_sudo.quantity
            # The split leaves the items' price as it was; the amounts the plan's percentages
            # gave before approval (down payment, deposit, residual value as rescheduled) must
            # not be recomputed from it.
            amounts = [contract._fields[name] for name in ("down_payment", "deposit", "residual_value")]
            with self.env.protecting(amounts, contract):
                item_sudo.copy(dict(discontinued, quantity=self.quantity, sequence=item_sudo.sequence))
                item_sudo.write({"quantity": leased - self.quantity})
            title = self.env._(
                "%(quantity)s of %(leased)s x %(item)s discontinued on %(date)s: %(reason)s. Their share of the "
                "principal owed, %(share)s, leaves the schedule%(entry)s.",
                quantity=formatLang(self.env, self.quantity, dp="Product Unit of Measure"),
                leased=formatLang(self.env, leased, dp="Product Unit of Measure"),
                item=self.line_id.product_id.display_name,
                date=format_date(self.env, self.date),
                reason=self.reason,
                share=format_amount(self.env, plan["share"], currency),
                entry=self.env._(" (entry %(entry)s)", entry=entry.name) if entry else "",
            )
            self._log(title, plan["old"], plan["new"])
            return {"type": "ir.actions.act_window_close"}
        item_sudo.write(discontinued)
        title = self.env._(
            "%(item)s discontinued on %(date)s: %(reason)s. Its share of the principal owed, %(share)s, "
            "leaves the schedule%(entry)s.",
            item=self.line_id.product_id.display_name,
            date=format_date(self.env, self.date),
            reason=self.reason,
            share=format_amount(self.env, plan["share"], currency),
            entry=self.env._(" (entry %(entry)s)", entry=entry.name) if entry else "",
        )
        self._log(title, plan["old"], plan["new"])
        return {"type": "ir.actions.act_window_close"}

    def _prepare_entry_vals(self, share):
        """The returned asset back to the lessor: debit the assets clearing, credit the net
        investment in the lease, by the item's share of the principal owed."""
        self.ensure_one()
        contract = self.contract_id
        plan = contract.plan_id
        return contract._prepare_lease_entry_vals(
            "discontinue",
            self.date,
            self.env._(
                "%(contract)s - %(item)s discontinued",
                contract=contract.name,
                item=self.line_id.product_id.display_name,
            ),
            share,
            debit_account=plan.clearing_account_id,
            credit_account=plan.receivable_account_id,
        )
