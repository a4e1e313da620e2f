from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common_ledger import LEASING_MANAGER, LeasingLedgerCommon
from .view_helpers import view_arch


@tagged("post_install", "-at_install")
class TestLedgerScreens(LeasingLedgerCommon):
    """How the lease's documents show in the ledger's screens, on the lease of ``test_billing``:
    items 1,000.00, down payment 100.00, financed 900.00, deposit 50.00, a registration fee of
    20.00 up front (up-front invoice 170.00), 3 instalments of 306.02 from 2026-01-31."""

    USER_PREFIX = "ledger_ui"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls._create_billing_plan()
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Constructora Andina", "is_company": True})

    def _activate(self, **values):
        return self._activate_contract(self._lease_vals(**values), at="2026-01-31")

    def _notes(self, move):
        return " ".join(move.message_ids.mapped("body"))

    # ------------------------------------------------------------------
    # The chatter of the lease documents
    # ------------------------------------------------------------------
    def test_lease_documents_link_their_lease(self):
        contract = self._activate()
        link = f'data-oe-model="leasing.contract" data-oe-id="{contract.id}"'
        for move, note in (
            (contract.commencement_move_id, "Commencement of"),
            (contract.upfront_invoice_id, "Due at the signing of"),
        ):
            with self.subTest(note=note):
                self.assertIn(note, self._notes(move))
                self.assertIn(link, self._notes(move))
        with freeze_time("2026-04-25"):
            invoices = self._run_invoicing_cron()
        self.assertEqual(len(invoices), 3)
        for invoice in invoices:
            sequence = invoice.leasing_schedule_line_id.sequence
            self.assertIn(f"Instalment {sequence} of <a", self._notes(invoice))
            self.assertIn(link, self._notes(invoice))

    def test_logging_a_batch_costs_the_same_as_one(self):
        """The notes of a batch of documents are written together: no query per document."""
        with freeze_time("2026-04-25"):
            first = self._activate()
            second = self._activate()
            invoices = self._run_invoicing_cron()
        self.assertEqual(len(invoices), 6)

        def queries(moves):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            moves._leasing_log_origin()
            return self.env.cr.sql_log_count - before

        one = invoices.filtered(lambda move: move.leasing_contract_id == first)[:1]
        queries(one)  # the caches that do not depend on the documents (the note subtype...)
        self.assertEqual(queries(invoices), queries(one))
        self.assertEqual(len(invoices.leasing_contract_id), 2, (first, second))

    # ------------------------------------------------------------------
    # The lease's invoices and entries
    # ------------------------------------------------------------------
    def test_invoices_and_entries_apart(self):
        """Invoices: the lease's customer invoices and credit notes in Odoo's invoice list (due
        date, payment status). Entries: the commencement entry and the other journal entries."""
        contract = self._activate()
        with freeze_time("2026-03-25"):
            instalments = self._run_invoicing_cron()
        self.assertEqual(len(instalments), 2)
        invoices = contract.upfront_invoice_id | instalments
        self.assertEqual((contract.invoice_count, contract.entry_count), (3, 1))

        action = contract.action_view_invoices()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoices)
        list_view = {view_type: view_id for view_id, view_type in action["views"]}["list"]
        columns = {node.get("name") for node in view_arch(self.env["account.move"], "list", list_view).iter("field")}
        self.assertTrue({"invoice_date_due", "payment_state"} <= columns, columns)

        action = contract.action_view_entries()
        self.assertEqual(self.env["account.move"].search(action["domain"]), contract.commencement_move_id)
        # A second lease, as a leaseback: its vendor bill is among the entries, not the invoices.
        leaseback = self._activate(lease_type="leaseback")
        self.assertEqual(
            self.env["account.move"].search(leaseback.action_view_entries()["domain"]), leaseback.leaseback_bill_id
        )
        self.assertEqual(
            self.env["account.move"].search(leaseback.action_view_invoices()["domain"]), leaseback.upfront_invoice_id
        )

    def test_moves_searchable_and_grouped_by_lease(self):
        contract = self._activate()
        other = self._activate()
        for view in ("account.view_account_invoice_filter", "account.view_account_move_filter"):
            with self.subTest(view=view):
                arch = view_arch(self.env["account.move"], "search", self.env.ref(view).id)
                self.assertTrue(arch.xpath("//field[@name='leasing_contract_id']"))
                group_by = arch.xpath("//filter[@name='group_by_leasing_contract']")[0]
                self.assertEqual(group_by.get("context"), "{'group_by': 'leasing_contract_id'}")
        found = self.env["account.move"].search([("leasing_contract_id", "ilike", contract.name)])
        self.assertEqual(found, contract.move_ids)
        self.assertFalse(found & other.move_ids)

    # ------------------------------------------------------------------
    # Allocate Payments says what it did
    # ------------------------------------------------------------------
    def test_allocate_payments_reports_what_it_allocated(self):
        """Open: the up-front invoice (170.00, due 2026-01-31) and instalment 1 (306.02, due
        2026-02-28). 400.00 received on account settle the first and pay 230.00 of the second;
        the 76.02 left, received later, settle it."""
        with freeze_time("2026-02-20"):
            contract = self._activate()
            self._run_invoicing_cron()

            message = contract.action_allocate_payments()["params"]
            self.assertEqual(message["type"], "warning")
            self.assertIn("no payment or credit note left to allocate", message["message"])
            self.assertIn("Open invoices: 2.", message["message"])

            self._pay_on_account(self.lessee, 400.0, date(2026, 2, 20))
            message = contract.action_allocate_payments()["params"]
            self.assertEqual(message["type"], "success")
            self.assertIn("400.00 allocated. Invoices settled: 1; paid in part: 1.", message["message"])
            self.assertEqual(contract.amount_due, 76.02)

            self._pay_on_account(self.lessee, 76.02, date(2026, 2, 20))
            message = contract.action_allocate_payments()["params"]
            self.assertIn("76.02 allocated. Invoices settled: 1.", message["message"])

            message = contract.action_allocate_payments()["params"]
            self.assertEqual(message["type"], "info")
            self.assertIn("no invoice of the lease is open", message["message"])

        # Reconciling invoices takes invoicing rights, checked by the action itself.
        manager = new_test_user(self.env, "ledger_ui_mgr", groups=LEASING_MANAGER, company_id=self.company.id)
        with self.assertRaises(AccessError):
            contract.with_user(manager).action_allocate_payments()

    # ------------------------------------------------------------------
    # Leases with an overdue instalment
    # ------------------------------------------------------------------
    def test_overdue_filter(self):
        """'Overdue' finds the leases with an instalment past due and unpaid, whether or not the
        daily run has marked it yet."""
        late = self._activate()
        on_time = self._activate()
        with freeze_time("2026-02-20"):
            self._run_invoicing_cron()
            self._pay(on_time.schedule_line_ids.invoice_id, payment_date=date(2026, 2, 20))
        search = view_arch(self.env["leasing.contract"], "search")
        domain_text = search.xpath("//filter[@name='overdue']")[0].get("domain")
        Contract = self.env["leasing.contract"]

        def overdue(today):
            domain = safe_eval(domain_text, {"context_today": lambda: today})
            return Contract.search([*domain, ("id", "in", (late | on_time).ids)])

        self.assertFalse(overdue(date(2026, 2, 28)), "due today is not overdue")
        self.assertEqual(overdue(date(2026, 3, 1)), late, "past due, not yet marked by the daily run")
        with freeze_time("2026-03-01"):
            self.env["leasing.schedule.line"]._cron_refresh_overdue()
        self.assertEqual(late.schedule_line_ids.filtered("invoice_id").state, "overdue")
        self.assertEqual(overdue(date(2026, 3, 1)), late)
