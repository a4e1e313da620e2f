from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

MANAGER = "leasing_management.group_leasing_manager"
USER = "leasing_management.group_leasing_user"
BILLING = "account.group_account_invoice"


@tagged("post_install", "-at_install")
@freeze_time("2024-02-05")
class TestCommissions(AccountTestInvoicingCommon):
    """Commissions of dealers, agents and brokers.

    The plan pays dealers 2.5 % of the financed amount and agents a fixed 150.00; it has no rule
    for brokers. Contracts have no fees and no down payment: financed amount = items price.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company()["company"]
        # The test's own user (an accounting manager of both companies) checks everything the
        # leasing users do: it reads leases as a Leasing Manager.
        cls.env.user.groups_id = [Command.link(cls.env.ref(MANAGER).id)]
        companies = cls.company + cls.company_2
        user_vals = {"company_id": cls.company.id, "company_ids": [Command.set(companies.ids)]}
        cls.manager_1 = new_test_user(cls.env, "comm_mgr_1", groups=MANAGER, **user_vals)
        cls.manager_2 = new_test_user(cls.env, "comm_mgr_2", groups=MANAGER, **user_vals)
        cls.accountant = new_test_user(cls.env, "comm_accountant", groups=f"{USER},{BILLING}", **user_vals)
        cls.leasing_user = new_test_user(cls.env, "comm_user", groups=USER, **user_vals)
        cls.leasing_user_1 = new_test_user(
            cls.env, "comm_user_c1", groups=USER, company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)]
        )

        cls.lessee = cls.env["res.partner"].create({"name": "Northwind Haulage", "is_company": True})
        cls.dealer = cls.env["res.partner"].create({"name": "Dealer Motors", "is_company": True})
        cls.agent = cls.env["res.partner"].create({"name": "Ada Agent"})
        cls.broker = cls.env["res.partner"].create({"name": "Bob Broker"})
        cls.product = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.plan = cls._create_plan(cls.company)
        cls.plan_2 = cls._create_plan(cls.company_2)

    @classmethod
    def _create_plan(cls, company):
        return (
            cls.env["leasing.plan"]
            .with_user(cls.manager_1)
            .create(
                {
                    "name": f"Annuity with commissions ({company.name})",
                    "company_id": company.id,
                    "term": 3,
                    "annual_rate": 12.0,
                    "commission_ids": [
                        Command.create({"role": "dealer", "basis": "percent", "rate": 2.5}),
                        Command.create({"role": "agent", "basis": "fixed", "amount": 150.0}),
                    ],
                }
            )
        )

    def _contract(self, price, intermediaries, plan=None, company=None):
        company = company or self.company
        contract = (
            self.env["leasing.contract"]
            .with_user(self.manager_1)
            .create(
                {
                    "partner_id": self.lessee.id,
                    "plan_id": (plan or self.plan).id,
                    "company_id": company.id,
                    "start_date": date(2024, 1, 31),
                    "line_ids": [Command.create({"product_id": self.product.id, "price_unit": price})],
                    "intermediary_ids": [
                        Command.create({"partner_id": partner.id, "role": role}) for partner, role in intermediaries
                    ],
                }
            )
        )
        return contract.with_env(self.env)

    def _approve(self, contract):
        contract.with_user(self.manager_1).action_submit()
        review = (
            self.env["leasing.credit.review"]
            .with_user(self.manager_1)
            .create(
                {
                    "contract_id": contract.id,
                    "identity_verified": True,
                    "years_in_business": 5,
                    "monthly_income": 10000.0,
                    "total_assets": 50000.0,
                    "documents_received": True,
                }
            )
        )
        review.action_done()
        contract.with_user(self.manager_2).action_approve()
        return contract

    def _activate(self, *contracts):
        for contract in contracts:
            self._approve(contract)
        for contract in contracts:
            contract.with_user(self.manager_2).action_activate()

    def _bill(self, commissions, user=None):
        return commissions.with_user(user or self.accountant).action_create_bills()

    def _bills(self, commissions):
        return commissions.bill_id.sorted(lambda m: m.partner_id.name)

    # ------------------------------------------------------------------
    # Setup
    # ------------------------------------------------------------------
    def test_commission_account_set_up_for_each_company(self):
        for company, plan in ((self.company, self.plan), (self.company_2, self.plan_2)):
            account = company.leasing_commission_account_id
            code = account.with_company(company).code
            self.assertTrue(code.startswith("6450"), code)
            self.assertEqual(account.account_type, "expense")
            self.assertEqual(account.company_ids, company)
            self.assertEqual(plan.commission_account_id, account)
        self.assertNotEqual(self.company.leasing_commission_account_id, self.company_2.leasing_commission_account_id)

    def test_one_rule_per_role(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.plan.commission_ids.create({"plan_id": self.plan.id, "role": "dealer", "rate": 1.0})

    # ------------------------------------------------------------------
    # Activation
    # ------------------------------------------------------------------
    def test_commissions_computed_at_activation(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer"), (self.agent, "agent"), (self.broker, "broker")])
        self.assertEqual(contract.financed_amount, 12345.67)
        # Before activation, nothing is earned; the contract shows what the rules would give.
        self.assertFalse(contract.commission_ids)
        self.assertEqual(contract.intermediary_ids.mapped("expected_amount"), [308.64, 150.0, 0.0])
        self._approve(contract)
        self.assertFalse(contract.commission_ids)
        contract.with_user(self.manager_2).action_activate()
        self.assertEqual(contract.state, "active")
        # Dealer: 12,345.67 x 2.5 % = 308.64175 -> 308.64. Agent: the fixed 150.00.
        # The broker's role has no rule on the plan: no commission at all, not even a zero one.
        self.assertRecordValues(
            contract.commission_ids.sorted("role"),
            [
                {
                    "partner_id": self.agent.id,
                    "role": "agent",
                    "basis": "fixed",
                    "rate": 0.0,
                    "base_amount": 12345.67,
                    "amount": 150.0,
                    "state": "draft",
                    "date": date(2024, 2, 5),
                    "company_id": self.company.id,
                },
                {
                    "partner_id": self.dealer.id,
                    "role": "dealer",
                    "basis": "percent",
                    "rate": 2.5,
                    "base_amount": 12345.67,
                    "amount": 308.64,
                    "state": "draft",
                    "date": date(2024, 2, 5),
                    "company_id": self.company.id,
                },
            ],
        )
        self.assertEqual(contract.commission_count, 2)
        self.assertEqual(self.dealer.with_user(self.leasing_user).leasing_commission_count, 1)

    def test_no_commission_without_intermediaries_or_rules(self):
        plan_without_rules = self.plan.copy({"name": "No commissions", "commission_ids": []})
        contract = self._contract(5000.0, [(self.dealer, "dealer")], plan=plan_without_rules)
        plain = self._contract(5000.0, [])
        self._activate(contract, plain)
        self.assertEqual((contract + plain).mapped("state"), ["active", "active"])
        self.assertFalse(self.env["leasing.commission"].search([("contract_id", "in", (contract + plain).ids)]))

    def test_batch_activation_creates_all_commissions(self):
        # 8,000.00 x 2.5 % = 200.00; 4,000.10 x 2.5 % = 100.0025 -> 100.00.
        first = self._contract(8000.0, [(self.dealer, "dealer")])
        second = self._contract(4000.10, [(self.dealer, "dealer"), (self.agent, "agent")])
        for contract in first + second:
            self._approve(contract)
        (first + second).with_user(self.manager_2).action_activate()
        self.assertEqual(first.commission_ids.mapped("amount"), [200.0])
        self.assertEqual(sorted(second.commission_ids.mapped("amount")), [100.0, 150.0])

    def test_intermediaries_frozen_from_approval(self):
        contract = self._contract(5000.0, [(self.dealer, "dealer")])
        # Still under review: the account manager may add the agent.
        contract.with_user(self.manager_1).action_submit()
        contract.with_user(self.leasing_user).write(
            {"intermediary_ids": [Command.create({"partner_id": self.agent.id, "role": "agent"})]}
        )
        contract.with_user(self.manager_1).action_draft()
        self._approve(contract)
        self.assertEqual(len(contract.intermediary_ids), 2)
        with self.assertRaises(UserError):
            contract.with_user(self.manager_1).write(
                {"intermediary_ids": [Command.create({"partner_id": self.broker.id, "role": "broker"})]}
            )
        with self.assertRaises(UserError):
            contract.intermediary_ids[0].with_user(self.manager_1).role = "broker"
        with self.assertRaises(UserError):
            contract.intermediary_ids[0].with_user(self.manager_1).unlink()

    def test_intermediaries_form(self):
        with Form(self.env["leasing.contract"].with_user(self.accountant)) as form:
            form.partner_id = self.lessee
            form.plan_id = self.plan
            with form.line_ids.new() as line:
                line.product_id = self.product
                line.price_unit = 2000.0
            with form.intermediary_ids.new() as intermediary:
                intermediary.partner_id = self.dealer
                intermediary.role = "dealer"
                # 2,000.00 x 2.5 % = 50.00
                self.assertEqual(intermediary.expected_amount, 50.0)
        contract = form.record
        self.assertEqual(contract.intermediary_ids.partner_id, self.dealer)

    # ------------------------------------------------------------------
    # Approval
    # ------------------------------------------------------------------
    def test_approval_rights(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer"), (self.agent, "agent")])
        self._activate(contract)
        commissions = contract.commission_ids
        # A Leasing User reads the commissions but cannot approve them, nor set their status.
        self.assertEqual(commissions.with_user(self.leasing_user).mapped("amount"), commissions.mapped("amount"))
        with self.assertRaises(AccessError):
            commissions.with_user(self.leasing_user).action_approve()
        with self.assertRaises(AccessError):
            commissions.with_user(self.leasing_user).write({"amount": 1.0})
        # Nor can the accountant, who may write commissions (to bill them) but not approve them.
        with self.assertRaises(AccessError):
            commissions.with_user(self.accountant).action_approve()
        with self.assertRaises(UserError):
            commissions.with_user(self.accountant).write({"state": "approved"})
        self.assertEqual(commissions.mapped("state"), ["draft", "draft"])
        commissions.with_user(self.manager_1).action_approve()
        self.assertEqual(commissions.mapped("state"), ["approved", "approved"])
        self.assertEqual(commissions.approved_by_id, self.manager_1)
        # Approved: the amount is final.
        with self.assertRaises(UserError):
            commissions[0].with_user(self.manager_1).amount = 1.0
        with self.assertRaises(UserError):
            commissions.with_user(self.manager_1).action_approve()

    def test_manager_adjusts_draft_amount(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer")])
        self._activate(contract)
        commission = contract.commission_ids.with_user(self.manager_1)
        commission.amount = 300.0
        commission.action_approve()
        self.assertEqual(commission.amount, 300.0)

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------
    def test_batch_billing_one_bill_per_partner(self):
        first = self._contract(12345.67, [(self.dealer, "dealer"), (self.agent, "agent")])
        second = self._contract(8000.0, [(self.dealer, "dealer"), (self.agent, "agent")])
        self._activate(first, second)
        commissions = (first + second).commission_ids
        commissions.with_user(self.manager_1).action_approve()
        action = self._bill(commissions)
        bills = self._bills(commissions)
        self.assertEqual(sorted(action["domain"][0][2]), sorted(bills.ids))
        account = self.company.leasing_commission_account_id
        journal = self.plan.purchase_journal_id
        self.assertEqual(journal.type, "purchase")
        # Ada Agent: 150.00 + 150.00 = 300.00. Dealer Motors: 308.64 + 200.00 = 508.64 (no tax on
        # the commissions account).
        self.assertRecordValues(
            bills,
            [
                {
                    "partner_id": self.agent.id,
                    "move_type": "in_invoice",
                    "state": "draft",
                    "journal_id": journal.id,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "invoice_date": date(2024, 2, 5),
                    "leasing_move_kind": "commission",
                    "amount_untaxed": 300.0,
                    "amount_total": 300.0,
                },
                {
                    "partner_id": self.dealer.id,
                    "move_type": "in_invoice",
                    "state": "draft",
                    "journal_id": journal.id,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "invoice_date": date(2024, 2, 5),
                    "leasing_move_kind": "commission",
                    "amount_untaxed": 508.64,
                    "amount_total": 508.64,
                },
            ],
        )
        dealer_bill = bills[1]
        self.assertRecordValues(
            dealer_bill.invoice_line_ids.sorted("price_unit"),
            [
                {"account_id": account.id, "quantity": 1.0, "price_unit": 200.0, "price_subtotal": 200.0},
                {"account_id": account.id, "quantity": 1.0, "price_unit": 308.64, "price_subtotal": 308.64},
            ],
        )
        self.assertEqual(dealer_bill.invoice_origin, f"{first.name}, {second.name}")
        self.assertIn(first.name, dealer_bill.invoice_line_ids.sorted("price_unit")[1].name)
        self.assertEqual(commissions.mapped("state"), ["billed"] * 4)
        self.assertEqual(commissions.filtered(lambda c: c.partner_id == self.dealer).bill_id, dealer_bill)
        # The bill posts as it is: its payable is the two commissions.
        dealer_bill.action_post()
        payable = dealer_bill.line_ids.filtered(lambda line: line.account_id.account_type == "liability_payable")
        self.assertEqual(payable.balance, -508.64)

    def test_billing_twice_or_unapproved_refused(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer"), (self.agent, "agent")])
        self._activate(contract)
        dealer_commission = contract.commission_ids.filtered(lambda c: c.role == "dealer")
        # Draft: not billable.
        with self.assertRaises(UserError):
            self._bill(dealer_commission)
        dealer_commission.with_user(self.manager_1).action_approve()
        self._bill(dealer_commission)
        bill = dealer_commission.bill_id
        self.assertTrue(bill)
        # Billed: not billable again, alone or with an approved one; nothing else was billed.
        agent_commission = contract.commission_ids - dealer_commission
        agent_commission.with_user(self.manager_1).action_approve()
        with self.assertRaises(UserError):
            self._bill(dealer_commission)
        with self.assertRaises(UserError):
            self._bill(contract.commission_ids)
        self.assertEqual(agent_commission.state, "approved")
        self.assertFalse(agent_commission.bill_id)
        self.assertEqual(self.env["account.move"].search_count([("leasing_move_kind", "=", "commission")]), 1)
        # A billed commission cannot be cancelled while its bill stands.
        with self.assertRaises(UserError):
            dealer_commission.with_user(self.manager_1).action_cancel()

    def test_cancelled_bill_releases_its_commissions(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer")])
        self._activate(contract)
        commission = contract.commission_ids
        commission.with_user(self.manager_1).action_approve()
        self._bill(commission)
        first_bill = commission.bill_id
        first_bill.with_user(self.accountant).button_cancel()
        self.assertEqual(commission.state, "approved")
        self.assertFalse(commission.bill_id)
        self._bill(commission)
        second_bill = commission.bill_id
        self.assertNotEqual(second_bill, first_bill)
        second_bill.with_user(self.accountant).unlink()
        self.assertEqual(commission.state, "approved")

    def test_billing_needs_billing_rights_and_setup(self):
        contract = self._contract(12345.67, [(self.dealer, "dealer")])
        self._activate(contract)
        commission = contract.commission_ids
        commission.with_user(self.manager_1).action_approve()
        with self.assertRaises(AccessError):
            self._bill(commission, user=self.leasing_user)
        with self.assertRaises(UserError):
            self._bill(commission.browse())
        self.plan.commission_account_id = False
        with self.assertRaisesRegex(UserError, "Commissions Expense Account"):
            self._bill(commission)
        self.assertEqual(commission.state, "approved")
        self.assertFalse(self.env["account.move"].search([("leasing_move_kind", "=", "commission")]))

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------
    def test_multi_company(self):
        contract_1 = self._contract(12345.67, [(self.dealer, "dealer")])
        # 10,000.00 x 2.5 % = 250.00 in the second company.
        contract_2 = self._contract(10000.0, [(self.dealer, "dealer")], plan=self.plan_2, company=self.company_2)
        self._activate(contract_1, contract_2)
        self.assertEqual(contract_2.commission_ids.company_id, self.company_2)
        self.assertEqual(contract_2.commission_ids.amount, 250.0)
        Commission = self.env["leasing.commission"]
        # A user of the first company sees its commissions only.
        visible = Commission.with_user(self.leasing_user_1).search([("partner_id", "=", self.dealer.id)])
        self.assertEqual(visible, contract_1.commission_ids)
        with self.assertRaises(AccessError):
            contract_2.commission_ids.with_user(self.leasing_user_1).read(["amount"])
        self.assertEqual(self.dealer.with_user(self.leasing_user_1).leasing_commission_count, 1)
        # Billed together, the commissions make one bill per company, each with its own
        # journal and expense account.
        commissions = (contract_1 + contract_2).commission_ids
        commissions.with_user(self.manager_1).action_approve()
        self._bill(commissions)
        bills = commissions.bill_id
        self.assertEqual(len(bills), 2)
        for company, amount in ((self.company, 308.64), (self.company_2, 250.0)):
            bill = bills.filtered(lambda b, company=company: b.company_id == company)
            self.assertEqual(bill.amount_total, amount)
            self.assertEqual(bill.journal_id.company_id, company)
            self.assertEqual(bill.invoice_line_ids.account_id, company.leasing_commission_account_id)
