from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


def irr_apr(flows, period_months):
    """Annual percentage rate (percent) of ``flows`` (one amount per period, index 0 = today),
    found by bisection in Decimal arithmetic: an oracle independent of numpy-financial and of
    the addon's engine.  The rate is annualised as an effective rate: (1 + i) ** (12 / p) - 1."""
    flows = [Decimal(str(flow)) for flow in flows]

    def npv(rate):
        return sum(flow / (1 + rate) ** t for t, flow in enumerate(flows))

    return _annual_percent(_bisect_rate(npv, Decimal("0")), period_months)


def _bisect_rate(npv, low, high=Decimal("1")):
    """The rate per period where ``npv`` (falling as the rate rises: the lender pays out
    first) crosses zero, by 100 bisections of [low, high] in Decimal arithmetic."""
    for _dummy in range(100):
        mid = (low + high) / 2
        if npv(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _annual_percent(rate, period_months):
    """A rate per period annualised as an effective rate, in percent: (1 + i) ** (12 / p) - 1."""
    return float(((1 + rate) ** (Decimal(12) / Decimal(period_months)) - 1) * 100)


class LeasingCommon(TransactionCase):
    """Company, products, partners, three plans and the users of every leasing group.

    Plans (no fees, no down payment unless a test adds them):

    * ``plan_annuity``: annuity, monthly, in arrears, 12 %, 3 instalments;
    * ``plan_equal_principal``: equal principal, quarterly, in arrears, 8 %, 4 instalments;
    * ``plan_interest_only``: interest only, monthly, in advance, 12 %, 3 instalments, residual
      20 % of the items and a minimum down payment of 10 %.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.product_excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.product_trailer = cls.env["product.product"].create({"name": "Trailer", "lst_price": 450.0})
        cls.partner = cls.env["res.partner"].create({"name": "Northwind Haulage", "is_company": True})
        cls.partner_contact = cls.env["res.partner"].create(
            {"name": "Nina North", "type": "contact", "parent_id": cls.partner.id}
        )
        cls.fee_type_insurance = cls.env.ref("leasing_management.fee_type_insurance")  # financed
        cls.fee_type_registration = cls.env.ref("leasing_management.fee_type_registration")  # up front

        Plan = cls.env["leasing.plan"]
        cls.plan_annuity = Plan.create(
            {
                "name": "Annuity monthly in arrears",
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
            }
        )
        cls.plan_equal_principal = Plan.create(
            {
                "name": "Equal principal quarterly",
                "repayment_method": "equal_principal",
                "payment_timing": "arrears",
                "period_months": 3,
                "term": 4,
                "annual_rate": 8.0,
            }
        )
        cls.plan_interest_only = Plan.create(
            {
                "name": "Interest only in advance with residual",
                "repayment_method": "interest_only",
                "payment_timing": "advance",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
                "residual_pct": 20.0,
                "min_down_payment_pct": 10.0,
            }
        )

        cls.leasing_user = new_test_user(cls.env, "lease_user", groups="leasing_management.group_leasing_user")
        cls.manager_1 = new_test_user(cls.env, "lease_mgr_1", groups="leasing_management.group_leasing_manager")
        cls.manager_2 = new_test_user(cls.env, "lease_mgr_2", groups="leasing_management.group_leasing_manager")
        cls.internal_user = new_test_user(cls.env, "plain_internal", groups="base.group_user")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _create_contract(self, **overrides):
        """A contract on the annuity plan: one excavator at 1,000.00, starting 2024-01-31."""
        vals = {
            "partner_id": self.partner.id,
            "plan_id": self.plan_annuity.id,
            "start_date": date(2024, 1, 31),
            "line_ids": [Command.create({"product_id": self.product_excavator.id, "price_unit": 1000.0})],
        }
        vals.update(overrides)
        return self.env["leasing.contract"].create(vals)

    def _complete_review(self, contract, **findings):
        """A completed credit review of ``contract``; by default its findings score low risk."""
        vals = {
            "contract_id": contract.id,
            "identity_verified": True,
            "years_in_business": 5,
            "monthly_income": 10000.0,
            "existing_debt_monthly": 0.0,
            "total_assets": 5000.0,
            "total_liabilities": 0.0,
            "documents_received": True,
        }
        vals.update(findings)
        review = self.env["leasing.credit.review"].create(vals)
        review.action_done()
        return review

    def _activate(self, contract):
        """Submit (manager 1), review, approve (manager 2) and activate ``contract``."""
        contract.with_user(self.manager_1).action_submit()
        self._complete_review(contract)
        contract.with_user(self.manager_2).action_approve()
        contract.with_user(self.manager_2).action_activate()
        return contract

    def _schedule(self, contract):
        return contract.schedule_line_ids.sorted("sequence")


def dated_apr(start, flows, period_months):
    """APR (percent) of dated ``flows`` ((date, amount) pairs) of a lease starting on ``start``,
    time measured in periods: a date between the k-th and (k+1)-th period dates counted from
    the start (month ends clamped, by dateutil) lies at k + days into that period / days of the
    period. Found by bisection in Decimal arithmetic: an oracle independent of the engine."""
    from dateutil.relativedelta import relativedelta

    def time_of(when):
        k = 0
        while start + relativedelta(months=(k + 1) * period_months) <= when:
            k += 1
        begin = start + relativedelta(months=k * period_months)
        end = start + relativedelta(months=(k + 1) * period_months)
        return Decimal(k) + Decimal((when - begin).days) / Decimal((end - begin).days)

    terms = [(time_of(when), Decimal(str(amount))) for when, amount in flows]

    def npv(rate):
        # (1 + rate) ** t for a fractional t, exactly enough in Decimal: exp(t ln(1 + rate)).
        return sum(amount / ((1 + rate).ln() * t).exp() for t, amount in terms)

    return _annual_percent(_bisect_rate(npv, Decimal("-0.5")), period_months)
