from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import SQL

from .common_closing import LeasingClosingCommon

REFUSED = ("odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError")


@tagged("post_install", "-at_install")
class TestSecurityOverRpc(LeasingClosingCommon, HttpCase):
    """The attacks of a hostile user with RPC, replayed through the route the web client uses
    (``/web/dataset/call_kw``): they choose every value written and the whole call context.
    Each attack is refused and leaves the lease as it was."""

    USER_PREFIX = "rpc"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_manager = new_test_user(
            cls.env,
            "rpc_billing_manager",
            groups="leasing_management.group_leasing_manager,account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.collector = new_test_user(
            cls.env, "rpc_collector", groups="leasing_collections.group_leasing_collector", company_id=cls.company.id
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _rpc(self, user, model, method, *args, context=None, **kwargs):
        """Call ``model.method(*args, **kwargs)`` as ``user`` through the web client's route."""
        if getattr(self, "_rpc_login", None) != user.login:
            self.authenticate(user.login, user.login)
            self._rpc_login = user.login
        kwargs["context"] = dict(context or {}, allowed_company_ids=[self.company.id])
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )
        self.env.invalidate_all()
        return result

    def assertRefused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self._rpc(user, model, method, *args, **kwargs)
        self.assertIn(caught.exception.args[0], REFUSED)
        self.env.invalidate_all()

    def _draft(self):
        return self.env["leasing.contract"].with_user(self.seller).create(self._lease_vals())

    # ------------------------------------------------------------------
    # 1. Context keys open no guard
    # ------------------------------------------------------------------
    def test_context_keys_do_not_activate_a_draft(self):
        contract = self._draft()
        for key in ("leasing_workflow", "leasing_terms_change", "leasing_skip_schedule"):
            with self.subTest(key=key):
                self.assertRefused(
                    self.seller, "leasing.contract", "write", contract.ids, {"state": "active"}, context={key: True}
                )
                self.assertRefused(
                    self.seller,
                    "leasing.contract",
                    "write",
                    contract.ids,
                    {"approved_by_id": self.approver.id},
                    context={key: True},
                )
        self.assertRecordValues(contract, [{"state": "draft", "approved_by_id": False, "commencement_move_id": False}])
        # A new contract cannot be born active either, nor through a default of the context.
        self.assertRefused(
            self.seller, "leasing.contract", "create", self._lease_vals(state="active"), context={"leasing_workflow": 1}
        )
        created = self._rpc(
            self.seller, "leasing.contract", "create", self._lease_vals(), context={"default_state": "active"}
        )
        self.assertEqual(self.env["leasing.contract"].browse(created).state, "draft")

    def test_context_keys_do_not_change_an_active_lease(self):
        contract = self._activate()
        schedule = contract.schedule_line_ids.read(["sequence", "principal", "amount"])
        line = contract.line_ids
        for key in ("leasing_skip_schedule", "leasing_terms_change", "leasing_workflow"):
            with self.subTest(key=key):
                # The items cut to 1.00 while the frozen schedule and the ledger stay.
                self.assertRefused(
                    self.seller, "leasing.contract.line", "write", line.ids, {"price_unit": 1.0}, context={key: True}
                )
                self.assertRefused(
                    self.approver, "leasing.contract", "write", contract.ids, {"term": 1}, context={key: True}
                )
                self.assertRefused(
                    self.approver,
                    "leasing.contract.line",
                    "write",
                    line.ids,
                    {"discontinued": True},
                    context={key: True},
                )
        self.assertRefused(
            self.approver,
            "leasing.schedule.line",
            "write",
            contract.schedule_line_ids.ids,
            {"amount": 1.0},
            context={"leasing_schedule_change": True},
        )
        self.assertEqual(line.price_unit, 1000.0)
        self.assertFalse(line.discontinued)
        self.assertRecordValues(contract, [{"term": 4, "financed_amount": 1000.0}])
        self.assertEqual(contract.schedule_line_ids.read(["sequence", "principal", "amount"]), schedule)

    def test_context_key_does_not_approve_a_commission(self):
        intermediary = self.env["res.partner"].create({"name": "Dealer Norte"})
        self.plan.commission_ids = [Command.create({"role": "dealer", "basis": "percent", "rate": 2.0})]
        contract = self._activate(intermediary_ids=[Command.create({"partner_id": intermediary.id, "role": "dealer"})])
        commission = contract.commission_ids
        self.assertEqual(commission.state, "draft")
        self.assertRefused(
            self.approver,
            "leasing.commission",
            "write",
            commission.ids,
            {"state": "approved", "approved_by_id": self.approver.id},
            context={"leasing_commission_workflow": True},
        )
        self.assertRecordValues(commission, [{"state": "draft", "approved_by_id": False}])

    def test_context_key_does_not_skip_the_allocation_of_a_balance(self):
        contract = self._activate()
        invoice = self._invoice(self.INVOICING_DAYS[0])
        invoice.button_draft()
        self._pay_on_account(self.lessee, 300.0, "2026-02-25")
        # An accountant posts the instalment invoice again, asking to skip the allocation.
        self._rpc(
            self.billing_manager, "account.move", "action_post", invoice.ids, context={"leasing_skip_allocation": 1}
        )
        # The 300.00 settle the deposit invoice (100.00, the oldest) and 200.00 of the instalment.
        self.assertEqual(contract.upfront_invoice_id.payment_state, "paid")
        self.assertEqual(invoice.amount_residual, 56.28)
        self.assertEqual(contract.customer_balance, 0.0)

    # ------------------------------------------------------------------
    # 2. Fields only the system sets
    # ------------------------------------------------------------------
    def test_system_fields_refused_on_write(self):
        contract = self._activate()
        other_invoice = self._invoice(self.INVOICING_DAYS[0])
        forged = {
            "payoff_invoice_id": other_invoice.id,
            "financed_amount": 1.0,
            "installment_amount": 1.0,
            "total_interest": 0.0,
            "apr": 0.0,
            "end_date": "2026-02-28",
            "payoff_date": "2026-02-28",
            "ownership_transferred_date": "2026-02-28",
            "deposit_refund_id": other_invoice.id,
            "commencement_move_id": False,
            "upfront_invoice_id": False,
            "activated_date": "2020-01-01",
            "name": "LC/FORGED",
        }
        before = contract.read(list(forged))[0]
        for name, value in forged.items():
            with self.subTest(field=name):
                self.assertRefused(self.seller, "leasing.contract", "write", contract.ids, {name: value})
        self.assertEqual(contract.read(list(forged))[0], before)
        self.assertEqual(contract.state, "active")
        self.assertFalse(contract.ownership_transferred_date)

    def test_every_read_only_field_is_the_systems(self):
        """What the model declares read-only, the guard refuses: no field is left out."""
        Contract = self.env["leasing.contract"]
        declared = {
            name
            for name, field in Contract._fields.items()
            # Any leasing addon's: a field another addon redefines (the state, given the written-off
            # state by leasing_collections) is that addon's in the registry.
            if field.readonly and not field.automatic and (field._module or "").startswith("leasing_")
        }
        self.assertTrue({"state", "payoff_invoice_id", "financed_amount", "schedule_line_ids"} <= declared)
        contract = self._draft()
        for name in sorted(declared):
            with self.subTest(field=name):
                self.assertRefused(self.seller, "leasing.contract", "write", contract.ids, {name: False})

    def test_lease_documents_cannot_be_retagged(self):
        contract = self._activate()
        invoice = self._invoice(self.INVOICING_DAYS[0])
        self._pay(invoice, payment_date="2026-02-28")
        # A paid instalment invoice of line 1 pinned on line 2 would show line 2 paid.
        line_2 = self._line(contract, 2)
        self.assertRefused(
            self.billing_manager, "account.move", "write", invoice.ids, {"leasing_schedule_line_id": line_2.id}
        )
        self.assertRefused(self.billing_manager, "account.move", "write", invoice.ids, {"leasing_move_kind": "payoff"})
        self.assertEqual(line_2.state, "planned")
        self.assertEqual(invoice.leasing_schedule_line_id, self._line(contract, 1))

    # ------------------------------------------------------------------
    # 3. The schedule's status follows the invoices, closing reads the ledger
    # ------------------------------------------------------------------
    def test_schedule_status_cannot_be_written_and_closing_reads_the_ledger(self):
        contract = self._run_term(self._activate(), paid=2)
        lines = contract.schedule_line_ids
        self.assertRefused(self.billing_manager, "leasing.schedule.line", "write", lines.ids, {"state": "paid"})
        self.assertRefused(self.billing_manager, "leasing.schedule.line", "write", lines.ids, {"cancelled": True})
        self.assertRefused(self.billing_manager, "leasing.schedule.line", "write", lines.ids, {"amount_paid": 999.0})
        self.assertEqual(lines.mapped("state")[:2], ["paid", "paid"])
        self.assertNotIn("paid", lines[2:].mapped("state"))
        # Even with the stored status forged in the database, the closing asks the ledger.
        self.env.cr.execute(SQL("UPDATE leasing_schedule_line SET state = 'paid' WHERE id IN %s", tuple(lines.ids)))
        self.env.invalidate_all()
        with freeze_time("2026-06-05"):
            self.assertRefused(self.billing_manager, "leasing.contract", "action_open_close_wizard", contract.ids)
            wizard = (
                self.env["leasing.close.wizard"].with_user(self.billing_manager).create({"contract_id": contract.id})
            )
            self.assertRefused(self.billing_manager, "leasing.close.wizard", "action_confirm", wizard.ids)
            # The old public action_close (no rights, no payment check) is gone.
            with self.assertRaisesRegex(JsonRpcException, "AttributeError"):
                self._rpc(self.billing_manager, "leasing.contract", "action_close", contract.ids)
        self.assertEqual(contract.state, "active")
        self.assertFalse(contract.deposit_refund_id)
        self.assertFalse(contract.ownership_transferred_date)

    # ------------------------------------------------------------------
    # 4. A credit review belongs to its lease, and is frozen once done
    # ------------------------------------------------------------------
    def test_a_review_cannot_move_to_another_lease(self):
        reviewed = self._draft()
        reviewed.action_submit()
        review = (
            self.env["leasing.credit.review"]
            .with_user(self.seller)
            .create({"contract_id": reviewed.id, "identity_verified": True, "monthly_income": 20000.0})
        )
        review.action_done()
        thief = self._draft()
        self._rpc(self.seller, "leasing.contract", "action_submit", thief.ids)
        self.assertRefused(
            self.seller, "leasing.contract", "write", thief.ids, {"credit_review_ids": [Command.link(review.id)]}
        )
        self.assertRefused(self.seller, "leasing.credit.review", "write", review.ids, {"contract_id": thief.id})
        self.assertEqual(review.contract_id, reviewed)
        self.assertRefused(self.approver, "leasing.contract", "action_approve", thief.ids)
        self.assertEqual(thief.state, "review")

    def test_a_completed_review_of_an_active_lease_is_frozen(self):
        contract = self._activate()
        review = contract.credit_review_id
        self.assertEqual(review.state, "done")
        self.assertRefused(self.seller, "leasing.credit.review", "write", review.ids, {"monthly_income": 1.0})
        self.assertRefused(self.approver, "leasing.credit.review", "write", review.ids, {"recommendation": "reject"})
        self.assertRefused(self.approver, "leasing.credit.review", "action_reopen", review.ids)
        self.assertRefused(self.seller, "leasing.credit.review", "write", review.ids, {"state": "draft"})
        self.assertRefused(
            self.seller, "leasing.credit.review", "create", {"contract_id": contract.id, "monthly_income": 1.0}
        )
        self.assertRecordValues(review, [{"state": "done", "monthly_income": 20000.0, "recommendation": "approve"}])

    # ------------------------------------------------------------------
    # 5. Collectors read leases, they do not make them
    # ------------------------------------------------------------------
    def test_collectors_cannot_create_or_change_leases(self):
        contract = self._draft()
        # A collector reads only the leases behind their collection cases (leasing_collections):
        # not this draft, which they cannot change either.
        self.assertEqual(self._rpc(self.collector, "leasing.contract", "search", [("id", "=", contract.id)]), [])
        self.assertRefused(self.collector, "leasing.contract", "create", self._lease_vals())
        self.assertRefused(self.collector, "leasing.contract", "write", contract.ids, {"note": "mine"})
        self.assertRefused(self.collector, "leasing.contract", "action_submit", contract.ids)
        self.assertRefused(
            self.collector,
            "leasing.contract.line",
            "create",
            {"contract_id": contract.id, "product_id": self.excavator.id},
        )
        self.assertEqual(contract.state, "draft")
        self.assertEqual(len(contract.line_ids), 1)

    # ------------------------------------------------------------------
    # 6. The quote wizard stays in the user's companies
    # ------------------------------------------------------------------
    def test_quote_wizard_does_not_cross_companies(self):
        other = self.setup_other_company(name="Leasing Sur")["company"]
        foreign_plan = self.env["leasing.plan"].create(
            {"name": "Their secret plan", "company_id": other.id, "annual_rate": 3.33, "term": 7}
        )
        values = {"plan_id": foreign_plan.id, "price": 10000.0, "start_date": fields.Date.to_string(self.DUE_DATES[0])}
        self.assertRefused(self.seller, "leasing.quote.wizard", "create", values)
        self.assertRefused(self.seller, "leasing.quote.wizard", "create", dict(values, company_id=other.id))
        # What the web client does before saving: the onchange shows nothing of that plan.
        result = self._rpc(
            self.seller,
            "leasing.quote.wizard",
            "onchange",
            [],
            values,
            ["plan_id"],
            {name: {} for name in ("plan_id", "term", "annual_rate", "installment_amount", "quote_error")},
        )
        shown = result["value"]
        self.assertNotEqual(shown.get("term"), 7)
        self.assertNotEqual(shown.get("annual_rate"), 3.33)
        self.assertFalse(shown.get("installment_amount"))
