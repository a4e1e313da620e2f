
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestLedgerScreens(LeasingLedgerCommon):
    """How the lease's documents show in the ledger's screens, on the lease of ``test_billing``:
    items 1,000.00, down payment 100.00, financed 900.00, deposit 50.00, a registration fee of
    20.00 up front (up-front invoice 170.00), 3 instalments of 306.02 from 2026-01-31."""

    USER_PREFIX = "ledger_ui"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Equipment 3 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
                "min_down_payment_pct": 10.0,
                "deposit_pct": 5.0,
                "fee_ids": [
                    Command.create(
                        {
                            "fee_type_id": cls.env.ref("leasing_management.fee_type_registration").id,
                            "amount": 20.0,
                            "financed": False,
                        }
                    )
                ],
            }
        )
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
