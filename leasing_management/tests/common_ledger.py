from contextlib import nullcontext

from freezegun import freeze_time

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user

LEASING_USER = "leasing_management.group_leasing_user"
LEASING_MANAGER = "leasing_management.group_leasing_manager"


class LeasingLedgerCommon(AccountTestInvoicingCommon):
    """Leases that go through the ledger: the set-up and the steps their tests share.

    * ``company``: the company of ``company_data``; the test's own user, its accountant, is
      also a Leasing Manager;
    * ``seller`` (Leasing User) creates leases and completes their credit reviews;
      ``approver`` (``APPROVER_GROUPS``, a Leasing Manager) approves and activates them: a
      second user, as approval requires. Their logins are ``<USER_PREFIX>_seller`` and
      ``<USER_PREFIX>_approver``: each class sets its own prefix;
    * activation, payments, payments on account and the daily invoicing run to its end.

    ``_lease_vals`` builds a lease from the class's own ``lessee``, ``plan`` and ``excavator``.
    """

    USER_PREFIX = "ledger"
    APPROVER_GROUPS = LEASING_MANAGER
    # What the credit review of each lease finds (a low risk for leases of a few thousands).
    REVIEW_FINDINGS = {
        "identity_verified": True,
        "years_in_business": 6,
        "monthly_income": 20000.0,
        "total_assets": 50000.0,
        "documents_received": True,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # The accountant running these tests also manages leases and their configuration.
        cls.env.user.groups_id |= cls.env.ref(LEASING_MANAGER)
        cls.seller = new_test_user(cls.env, f"{cls.USER_PREFIX}_seller", groups=LEASING_USER, company_id=cls.company.id)
        cls.approver = new_test_user(
            cls.env, f"{cls.USER_PREFIX}_approver", groups=cls.APPROVER_GROUPS, company_id=cls.company.id
        )

    @classmethod
    def _create_plan(cls, **values):
        """A financing plan of the test company: monthly annuity in arrears at 12 % over 3
        instalments unless ``values`` say otherwise."""
        return cls.env["leasing.plan"].create(
            {
                "name": "Equipment 3 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
                **values,
            }
        )

    @classmethod
    def _create_billing_plan(cls):
        """The plan of the lease of ``test_billing``: 10 % down, 5 % deposit, a registration
        fee of 20.00 paid up front, sale and leaseback allowed."""
        return cls._create_plan(
            min_down_payment_pct=10.0,
            deposit_pct=5.0,
            allow_leaseback=True,
            fee_ids=[
                Command.create(
                    {
                        "fee_type_id": cls.env.ref("leasing_management.fee_type_registration").id,
                        "amount": 20.0,
                        "financed": False,
                    }
                )
            ],
        )

    def _lease_vals(self, products=None, **values):
        """A lease to ``lessee`` on ``plan`` from 2026-01-31, of ``products`` (by default the
        ``excavator``) at their list prices; ``values`` override any of it."""
        return {
            "partner_id": self.lessee.id,
            "plan_id": self.plan.id,
            "company_id": self.company.id,
            "start_date": "2026-01-31",
            "line_ids": [Command.create({"product_id": product.id}) for product in (products or self.excavator)],
            **values,
        }

    def _submit_and_activate(self, contract):
        """Submit ``contract`` (as its own user), complete its credit review (seller), then
        approve and activate it (approver)."""
        contract.action_submit()
        review = (
            self.env["leasing.credit.review"]
            .with_user(self.seller)
            .create(dict(self.REVIEW_FINDINGS, contract_id=contract.id))
        )
        review.action_done()
        contract.with_user(self.approver).action_approve()
        contract.with_user(self.approver).action_activate()
        return contract

    def _activate_contract(self, vals, at=None):
        """Create a lease of ``vals`` (seller) and take it to active, on the date ``at`` if
        given; return it as the test's user sees it."""
        with freeze_time(at) if at else nullcontext():
            contract = self.env["leasing.contract"].with_user(self.seller).create(vals)
            self._submit_and_activate(contract)
        return contract.with_user(self.env.user)

    def _pay(self, invoices, amount=None, payment_date=None):
        """Register one payment for each of ``invoices``: of ``amount``, or in full; return the
        payments."""
        vals = {}
        if amount is not None:
            vals["amount"] = amount
        if payment_date:
            vals["payment_date"] = payment_date
        payments = self.env["account.payment"]
        for invoice in invoices:
            payments |= (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create(dict(vals))
                ._create_payments()
            )
        return payments

    def _pay_on_account(self, partner, amount, payment_date):
        """A posted payment of ``amount`` received from ``partner``, matched to no invoice."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": payment_date,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def _run_invoicing_cron(self, batch_size=50):
        """Run the daily invoicing batch after batch, as Odoo's cron runner does, until a batch
        invoices nothing; return every invoice it issued."""
        Line = self.env["leasing.schedule.line"]
        moves = self.env["account.move"]
        while batch := Line._cron_invoice_due_lines(batch_size=batch_size):
            moves |= batch
        return moves
