from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon

REPORT = "leasing_collections.report_leasing_settlement_certificate"


@tagged("post_install", "-at_install")
class TestCollectionSettlement(CollectionsCommon):
    """Settlement requests (结清) on the hand-worked lease of ``common.py`` (3 instalments of
    3,400.22 / 3,400.22 / 3,400.23 due Feb 28, Mar 31, Apr 30; 12 % a year; penalty 0.05 % a day,
    3 grace days, cap 2 %), with an early termination fee of 2 %.

    Settled on 2026-04-10, instalments 1 and 2 invoiced and unpaid, 3 not yet invoiced:

    * outstanding principal: instalment 3's, 3,366.56;
    * interest accrued since March 31, 10 days: 3,366.56 x 12 % x 10 / 365 = 11.068...: 11.07;
    * early termination fee: 2 % of 3,366.56 = 67.3312: 67.33;
    * penalty interest: instalment 1, March 1 to April 10 (41 days) on 3,400.22 = 69.70 over its
      cap of 2 % (68.0044): 68.00; instalment 2, April 1-10 (10 days): 17.0011: 17.00; 85.00;
    * unpaid invoices: 2 x 3,400.22 = 6,800.44;
    * total to pay: 10,330.40, of which the settlement invoice bills 3,529.96.
    """

    USER_PREFIX = "settlement"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.early_termination_fee_pct = 2.0
        cls.collector = new_test_user(cls.env, "settlement_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.collection_manager = new_test_user(
            cls.env, "settlement_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id
        )

    def _behind_lease(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        return contract, *self._installment_invoices(contract)

    def _request(self, contract, settlement_date, **values):
        return (
            self.env["leasing.collection.request"]
            .with_user(self.collector)
            .create(
                {
                    "request_type": "settlement",
                    "contract_id": contract.id,
                    "date": settlement_date,
                    "reason": "The lessee sells the excavator and settles.",
                    **values,
                }
            )
        )

    def _approve(self, request):
        """Submitted by the collector, approved (and so carried out) by the Collection Manager."""
        request.with_user(self.collector).action_submit()
        return request.with_user(self.collection_manager).action_approve()

    # ------------------------------------------------------------------
    @freeze_time("2026-04-10")
    def test_settlement_is_the_payoff_quote_and_closes_when_paid(self):
        contract, first, second = self._behind_lease()
        request = self._request(contract, date(2026, 4, 10))
        # The payoff wizard's quote for the same date, for comparison.
        wizard = self.env["leasing.payoff.wizard"].create({"contract_id": contract.id, "payoff_date": "2026-04-10"})
        quote = (
            wizard.outstanding_principal,
            wizard.accrued_interest,
            wizard.early_termination_fee,
            wizard.penalty_interest,
            wizard.unpaid_invoices,
            wizard.amount_total,
        )
        self._approve(request)
        request.invalidate_recordset()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "approved",
                    "amount": 10330.40,
                    "settlement_principal": 3366.56,
                    "settlement_interest": 11.07,
                    "settlement_fee": 67.33,
                    "settlement_penalty": 85.00,
                    "settlement_taxes": 0.0,
                    "settlement_unpaid_invoices": 6800.44,
                    "settlement_deposit": 0.0,
                }
            ],
        )
        self.assertEqual(quote, (3366.56, 11.07, 67.33, 85.00, 6800.44, request.amount))
        # The settlement invoice is leasing_management's payoff invoice: the lease's payoff.
        invoice = request.settlement_invoice_id
        self.assertEqual(invoice, contract.payoff_invoice_id)
        self.assertRecordValues(
            invoice,
            [
                {
                    "leasing_move_kind": "payoff",
                    "state": "posted",
                    "amount_total": 3529.96,
                    "invoice_date": date(2026, 4, 10),
                }
            ],
        )
        self.assertEqual(
            sorted(invoice.invoice_line_ids.mapped("price_subtotal")), [11.07, 17.00, 67.33, 68.00, 3366.56]
        )
        self.assertTrue(contract.schedule_line_ids.sorted("sequence")[2].cancelled)
        self.assertFalse(contract.settlement_request_id)
        with self.assertRaisesRegex(UserError, "not a settlement done"):
            request.action_print_settlement_certificate()

        # Paying the rents leaves the lease open; paying the settlement invoice closes it.
        self._pay(first | second, payment_date="2026-04-10")
        self.assertEqual((contract.state, request.state), ("active", "approved"))
        self._pay(invoice, payment_date="2026-04-10")
        self.assertEqual((contract.state, request.state), ("closed", "done"))
        self.assertTrue(request.done_date)
        contract.invalidate_recordset(["settlement_request_id"])
        self.assertEqual(contract.settlement_request_id, request)

        # The certificate: the lessee, the contract, the item, each amount settled and the total.
        action = contract.with_context(discard_logo_check=True).action_print_settlement_certificate()
        self.assertEqual(action["report_name"], REPORT)
        # Printed by the Collection Manager, who reads the request and the lease, not the ledger.
        content, _type = (
            self.env["ir.actions.report"].with_user(self.collection_manager)._render_qweb_pdf(REPORT, request.ids)
        )
        doc = html.fromstring(content)
        text = " ".join(doc.text_content().split())
        for expected in (
            "Settlement Certificate",
            "Transportes Sierra",
            contract.name,
            invoice.name,
            "Excavator",
            "04/10/2026",
            "For the lessor",
            "For the lessee",
        ):
            self.assertIn(expected, text)
        amounts = {
            row.get("name"): " ".join(row.text_content().split())
            for row in doc.xpath("//table[@name='amounts']/tbody/tr")
        }
        self.assertIn("3,366.56", amounts["principal"])
        self.assertIn("11.07", amounts["interest"])
        self.assertIn("67.33", amounts["fee"])
        self.assertIn("85.00", amounts["penalty"])
        self.assertIn("6,800.44", amounts["unpaid_invoices"])
        self.assertIn("10,330.40", amounts["total"])

    @freeze_time("2026-04-10")
    def test_certificate_in_the_lessees_language(self):
        langs = ("zh_CN", "es_ES")
        for code in langs:
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(["leasing_collections"], list(langs), overwrite=True)
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        contract, first, second = self._behind_lease()
        request = self._request(contract, date(2026, 4, 10))
        self._approve(request)
        self._pay(first | second | request.settlement_invoice_id, payment_date="2026-04-10")
        self.assertEqual(request.state, "done")
        expected = {
            "es_ES": (
                "Certificado de liquidación",
                "fue liquidado en su totalidad el 10/04/2026",
                "10.330,40",
                "Firma y sello",
            ),
            "zh_CN": ("结清证明", "已于2026年04月10日全部结清", "10,330.40", "签字盖章"),
        }
        for lang, figures in expected.items():
            with self.subTest(lang=lang):
                self.lessee.lang = lang
                content, _type = self.env["ir.actions.report"]._render_qweb_html(REPORT, request.ids)
                text = " ".join(html.fromstring(content).text_content().split())
                for figure in figures:
                    self.assertIn(figure, text)

    @freeze_time("2026-04-10")
    def test_settlement_before_the_last_payment_is_refused(self):
        """Instalment 1 was paid on March 20: a settlement dated March 15 is refused at
        submission, and nothing is issued; one dated March 20 may be submitted."""
        contract, first, _second = self._behind_lease()
        self._pay(first, payment_date="2026-03-20")
        request = self._request(contract, date(2026, 3, 15))
        with self.assertRaisesRegex(UserError, "before the last payment received .* on 03/20/2026"):
            request.with_user(self.collector).action_submit()
        self.assertEqual(request.state, "draft")
        request.with_user(self.collector).date = date(2026, 3, 20)
        request.with_user(self.collector).action_submit()
        self.assertEqual(request.state, "submitted")

    @freeze_time("2026-04-10")
    def test_payment_after_submission_refuses_the_approval(self):
        """Submitted for March 25, then instalment 1 is paid on March 28: the approval is refused
        and nothing is issued; carried out directly, the execution refuses it too."""
        contract, first, _second = self._behind_lease()
        request = self._request(contract, date(2026, 3, 25))
        request.with_user(self.collector).action_submit()
        self._pay(first, payment_date="2026-03-28")
        with self.assertRaisesRegex(UserError, "before the last payment received .* on 03/28/2026"):
            request.with_user(self.collection_manager).action_approve()
        self.assertEqual(request.state, "submitted")
        request.sudo().state = "approved"
        with self.assertRaisesRegex(UserError, "before the last payment received"):
            request._execute()
        self.assertFalse(contract.payoff_invoice_id)
        self.assertFalse(request.settlement_invoice_id)

    @freeze_time("2026-04-10")
    def test_settlement_refusals_of_the_payoff(self):
        """The payoff's own refusals: a date past the last instalment; a lease already paid off."""
        contract, _first, _second = self._behind_lease()
        request = self._request(contract, date(2026, 5, 15))
        with self.assertRaisesRegex(UserError, "Choose a payoff date between"):
            self._approve(request)
        request.with_user(self.collector).date = date(2026, 4, 10)
        self._approve(request)
        again = self._request(contract, date(2026, 4, 10))
        with self.assertRaisesRegex(UserError, "already paid off"):
            self._approve(again)
