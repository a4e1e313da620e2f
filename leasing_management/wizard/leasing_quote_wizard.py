from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..models.leasing_plan import PAYMENT_TIMINGS, PERIOD_MONTHS, REPAYMENT_METHODS
from ..tools import MAX_AMOUNT, MAX_DATE, MAX_MONTHS, MAX_TERM, MIN_DATE, percent_of, quote


class LeasingQuoteWizard(models.TransientModel):
    _name = "leasing.quote.wizard"
    _description = "Lease Quote"
    # The quote reads its plan as superuser (stored computes): the company rules are enforced on
    # the wizard itself (a record rule on company_id) and on what it links to (check_company).
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", required=True, check_company=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Lessee", check_company=True, help="Needed only to turn the quote into a contract."
    )
    product_id = fields.Many2one(
        "product.product",
        string="Item",
        check_company=True,
        domain=[("leasing_ok", "=", True)],
        help="Needed only to turn the quote into a contract.",
    )
    price = fields.Monetary(required=True)
    down_payment = fields.Monetary(compute="_compute_plan_amounts", store=True, readonly=False, precompute=True)
    residual_value = fields.Monetary(compute="_compute_plan_amounts", store=True, readonly=False, precompute=True)
    # The plan's fees by default, changeable here; the contract made from the quote carries them.
    fee_ids = fields.One2many(
        "leasing.quote.wizard.fee",
        "wizard_id",
        string="Fees",
        compute="_compute_fee_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    financed_fees = fields.Monetary(
        compute="_compute_fee_totals", store=True, precompute=True, help="The fees added to the credit."
    )
    upfront_fees = fields.Monetary(
        string="Fees Paid up Front",
        compute="_compute_fee_totals",
        store=True,
        precompute=True,
        help="The fees paid at signing.",
    )
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    term = fields.Integer(string="Instalments", compute="_compute_terms", store=True, readonly=False, precompute=True)
    period_months = fields.Integer(
        string="Months per Period", compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    annual_rate = fields.Float(
        string="Annual Rate (%)", digits=(16, 4), compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    repayment_method = fields.Selection(
        REPAYMENT_METHODS, compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    payment_timing = fields.Selection(
        PAYMENT_TIMINGS, compute="_compute_terms", store=True, readonly=False, precompute=True
    )

    financed_amount = fields.Monetary(compute="_compute_quote", store=True)
    installment_amount = fields.Monetary(string="Instalment", compute="_compute_quote", store=True)
    total_interest = fields.Monetary(compute="_compute_quote", store=True)
    total_amount = fields.Monetary(string="Total Repaid", compute="_compute_quote", store=True)
    periodic_rate = fields.Float(string="Periodic Rate (%)", digits=(16, 6), compute="_compute_quote", store=True)
    effective_rate = fields.Float(
        string="Effective Annual Rate (%)", digits=(16, 4), compute="_compute_quote", store=True
    )
    apr = fields.Float(string="APR (%)", digits=(16, 4), compute="_compute_quote", store=True)
    quote_error = fields.Char(compute="_compute_quote", store=True)
    line_ids = fields.One2many("leasing.quote.wizard.line", "wizard_id", compute="_compute_quote", store=True)

    @api.depends("plan_id")
    def _compute_terms(self):
        for wizard in self:
            plan = wizard._readable_plan()
            for field_name in ("term", "period_months", "annual_rate", "repayment_method", "payment_timing"):
                wizard[field_name] = plan[field_name]

    @api.depends("plan_id", "price")
    def _compute_plan_amounts(self):
        for wizard in self:
            plan = wizard._readable_plan()
            currency = plan.currency_id or wizard.company_id.currency_id
            price = wizard.price if 0 <= wizard.price < MAX_AMOUNT else 0.0
            rounding = currency._leasing_rounding()
            wizard.down_payment = percent_of(price, plan.min_down_payment_pct, rounding)
            wizard.residual_value = percent_of(price, plan.residual_pct, rounding)

    @api.depends("plan_id")
    def _compute_fee_ids(self):
        for wizard in self:
            # A new plan brings its own fees, as on the contract.
            wizard.fee_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {"fee_type_id": fee.fee_type_id.id, "amount": fee.amount, "financed": fee.financed}
                )
                for fee in wizard._readable_plan().fee_ids
            ]

    @api.depends("fee_ids.amount", "fee_ids.financed", "currency_id")
    def _compute_fee_totals(self):
        for wizard in self:
            currency = wizard.currency_id or wizard.company_id.currency_id
            wizard.financed_fees = currency.round(sum(fee.amount for fee in wizard.fee_ids if fee.financed))
            wizard.upfront_fees = currency.round(sum(fee.amount for fee in wizard.fee_ids if not fee.financed))

    @api.depends(
        "price",
        "down_payment",
        "residual_value",
        "financed_fees",
        "upfront_fees",
        "start_date",
        "term",
        "period_months",
        "annual_rate",
        "repayment_method",
        "payment_timing",
    )
    def _compute_quote(self):
        for wizard in self:
            result, error = wizard._quote()
            wizard.quote_error = error
            wizard.financed_amount = result.get("financed", 0.0)
            wizard.installment_amount = result.get("installment", 0.0)
            wizard.total_interest = result.get("total_interest", 0.0)
            wizard.total_amount = result.get("total_amount", 0.0)
            wizard.periodic_rate = result.get("periodic_rate", 0.0)
            wizard.effective_rate = result.get("effective_rate", 0.0)
            wizard.apr = result.get("apr", 0.0)
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(row) for row in result.get("schedule", [])
            ]

    def _quote(self):
        """The engine's quote, or an explanation of what to correct."""
        self.ensure_one()
        # Nothing to quote before a plan, a start date and a price are given: no figures, and
        # no complaint about what is not typed yet.
        if not self._readable_plan() or not self.start_date or self.currency_id.is_zero(self.price):
            return {}, False
        error = self._input_error()
        if error:
            return {}, error
        try:
            result = quote(
                self.price,
                self.down_payment,
                self.annual_rate,
                self.term,
                self.period_months,
                self.repayment_method,
                self.payment_timing,
                self.start_date,
                residual=self.residual_value,
                financed_fees=self.financed_fees,
                upfront_fees=self.upfront_fees,
                rounding=self.currency_id._leasing_rounding(),
            )
        except ValueError:
            return {}, self.env._("No annual percentage rate balances these cash flows: check the fees.")
        return result, False

    def _readable_plan(self):
        """The plan, if the user may read it: the computes run as superuser, and the web client
        computes a quote before anything is saved (no record rule nor company check yet)."""
        self.ensure_one()
        return self.plan_id.sudo(False)._filtered_access("read").sudo(self.env.su)

    def _input_error(self):
        currency = self.currency_id
        if self.term < 1:
            return self.env._("The term must be at least one instalment.")
        if self.period_months not in PERIOD_MONTHS:
            return self.env._("The period must be 1, 3, 6 or 12 months.")
        if self.term > MAX_TERM or self.term * self.period_months > MAX_MONTHS:
            return self.env._(
                "A lease runs for at most %(term)s instalments and %(years)s years.",
                term=MAX_TERM,
                years=MAX_MONTHS // 12,
            )
        if not MIN_DATE <= self.start_date <= MAX_DATE:
            return self.env._(
                "The start date must lie between %(first)s and %(last)s.", first=MIN_DATE.year, last=MAX_DATE.year
            )
        if any(
            self[f] >= MAX_AMOUNT for f in ("price", "down_payment", "residual_value", "financed_fees", "upfront_fees")
        ):
            return self.env._("Amounts must stay below %(limit)s.", limit=formatLang(self.env, MAX_AMOUNT, digits=0))
        if self.annual_rate < 0 or self.annual_rate > 100:
            return self.env._("The annual rate must lie between 0 and 100 %.")
        if any(
            currency.compare_amounts(amount, 0.0) < 0
            for amount in [self.price, self.down_payment, self.residual_value, *self.fee_ids.mapped("amount")]
        ):
            return self.env._("Amounts cannot be negative.")
        if not all(self.fee_ids.mapped("fee_type_id")):
            return self.env._("Choose the type of each fee.")
        if currency.compare_amounts(self.down_payment, self.price) >= 0:
            return self.env._("The down payment must be lower than the price.")
        financed = self.price + self.financed_fees - self.down_payment
        if currency.compare_amounts(self.residual_value, financed) >= 0:
            return self.env._("The residual value must be lower than the amount financed.")
        return False

    def action_create_contract(self):
        self.ensure_one()
        if self.quote_error:
            raise UserError(self.quote_error)
        if not self.line_ids:
            raise UserError(
                self.env._("Choose the plan and the start date and enter the price first: there is no quote yet.")
            )
        if not self.partner_id or not self.product_id:
            raise UserError(self.env._("Choose the lessee and the item to turn this quote into a contract."))
        contract = self.env["leasing.contract"].create(
            {
                "partner_id": self.partner_id.id,
                "plan_id": self.plan_id.id,
                "company_id": self.company_id.id,
                "start_date": self.start_date,
                "line_ids": [fields.Command.create({"product_id": self.product_id.id, "price_unit": self.price})],
                # The fees as quoted, in place of the plan's.
                "fee_ids": [
                    fields.Command.create(
                        {
                            "sequence": fee.sequence,
                            "fee_type_id": fee.fee_type_id.id,
                            "amount": fee.amount,
                            "financed": fee.financed,
                        }
                    )
                    for fee in self.fee_ids
                ],
            }
        )
        # Terms and amounts as quoted, over the plan's defaults.
        contract.write(
            {
                "term": self.term,
                "period_months": self.period_months,
                "annual_rate": self.annual_rate,
                "repayment_method": self.repayment_method,
                "payment_timing": self.payment_timing,
                "down_payment": self.down_payment,
                "residual_value": self.residual_value,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "leasing.contract",
            "res_id": contract.id,
            "view_mode": "form",
        }


class LeasingQuoteWizardLine(models.TransientModel):
    _name = "leasing.quote.wizard.line"
    _description = "Lease Quote Schedule Line"
    _order = "sequence"

    wizard_id = fields.Many2one("leasing.quote.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    sequence = fields.Integer(string="#")
    line_type = fields.Selection([("installment", "Instalment"), ("residual", "Residual Value")], string="Type")
    due_date = fields.Date()
    principal = fields.Monetary()
    interest = fields.Monetary()
    amount = fields.Monetary()
    balance = fields.Monetary(string="Balance After")


class LeasingQuoteWizardFee(models.TransientModel):
    _name = "leasing.quote.wizard.fee"
    _description = "Lease Quote Fee"
    _order = "sequence, id"

    wizard_id = fields.Many2one("leasing.quote.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    sequence = fields.Integer(default=10)
    fee_type_id = fields.Many2one("leasing.fee.type", string="Fee Type", required=True)
    financed = fields.Boolean(
        compute="_compute_financed",
        store=True,
        readonly=False,
        precompute=True,
        help="Financed fees are added to the amount financed; the others are paid up front.",
    )
    amount = fields.Monetary()

    @api.depends("fee_type_id")
    def _compute_financed(self):
        for fee in self:
            # As on the contract: the plan's fee line says, or else the fee type.
            plan = fee.wizard_id._readable_plan() if fee.wizard_id else fee.wizard_id.plan_id
            plan_fees = {plan_fee.fee_type_id: plan_fee for plan_fee in plan.fee_ids}
            plan_fee = plan_fees.get(fee.fee_type_id)
            fee.financed = plan_fee.financed if plan_fee else fee.fee_type_id.financed
