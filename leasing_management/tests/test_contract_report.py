import shutil
from unittest import skipUnless

from lxml import html

from odoo import Command
from odoo.tests import tagged

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestContractReport(LeasingCommon):
    """The contract PDF: parties, items, terms, rates and the whole schedule."""

    REPORT = "leasing_management.action_report_leasing_contract"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner.write({"street": "12 Harbour Road", "city": "Portsmouth", "vat": "GB123456782"})
        cls.guarantor = cls.env["res.partner"].create({"name": "Gina Guarantee", "city": "Leeds", "vat": "GB999"})

    def setUp(self):
        super().setUp()
        # Interest only, monthly in advance at 12 % (r = 1 %), 3 instalments: items 1,000, down
        # payment 10 % = 100.00, financed insurance 30.00 -> financed 930.00; residual 20 % = 200.00.
        self.contract = self._create_contract(
            plan_id=self.plan_interest_only.id,
            guarantor_ids=[Command.link(self.guarantor.id)],
            fee_ids=[
                Command.create({"fee_type_id": self.fee_type_insurance.id, "amount": 30.0, "financed": True}),
                Command.create({"fee_type_id": self.fee_type_registration.id, "amount": 15.0, "financed": False}),
            ],
            deposit=50.0,
        )

    def _render(self, contracts):
        content, report_type = self.env["ir.actions.report"]._render_qweb_html(self.REPORT, contracts.ids)
        self.assertEqual(report_type, "html")
        return html.fromstring(content)

    def test_render_html(self):
        contract = self.contract
        lines = self._schedule(contract)
        # 3 instalments in advance + the residual line.
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[-1].line_type, "residual")
        doc = self._render(contract)
        text = " ".join(doc.text_content().split())
        for expected in (
            contract.name,
            "Lessor",
            self.env.company.name,
            "Lessee",
            "Northwind Haulage",
            "12 Harbour Road",
            "GB123456782",
            "Guarantors",
            "Gina Guarantee",
            "GB999",
            "Excavator",
            "Interest Only (principal at the end)",
            "In Advance (start of period)",
            "Direct Lease",
            "Amount Financed",
            "APR",
            "Effective Annual Rate",
            "Periodic Rate",
            "Residual Value",
        ):
            self.assertIn(expected, text)
        schedule = doc.xpath("//table[@name='schedule']/tbody/tr")
        # One row per schedule line, then the totals.
        self.assertEqual(len(schedule), len(lines) + 1)
        self.assertIn("Residual Value", schedule[-2].text_content())
        self.assertIn("fst-italic", schedule[-2].get("class"))
        totals = " ".join(schedule[-1].text_content().split())
        # In advance the first instalment carries no interest; #2 and #3 carry 930 x 1 % = 9.30;
        # the residual line's principal is 200 / 1.01 = 198.02 and its interest 1.98 (amount 200).
        # Totals: principal 930.00, interest 9.30 + 9.30 + 1.98 = 20.58, amount 950.58.
        self.assertEqual(contract.financed_amount, 930.0)
        self.assertIn("930.00", totals)
        self.assertIn("20.58", totals)
        self.assertIn("950.58", totals)

    def test_render_several_and_pdf_binding(self):
        other = self._create_contract()
        doc = self._render(self.contract | other)
        self.assertEqual(len(doc.xpath("//table[@name='schedule']")), 2)
        report = self.env.ref(self.REPORT)
        self.assertEqual(report.binding_model_id.model, "leasing.contract")
        self.assertEqual(report.binding_type, "report")

    @skipUnless(shutil.which("wkhtmltopdf"), "wkhtmltopdf is not installed")
    def test_render_pdf(self):
        # Tests fall back to HTML unless told to really call wkhtmltopdf.
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        content, report_type = report._render_qweb_pdf(self.REPORT, self.contract.ids)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
