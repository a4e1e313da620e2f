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
        schedule = doc.xpath("//table[starts-with(@name, 'schedule')]/tbody/tr")
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

    def test_cancelled_lines_not_printed(self):
        """Lines cancelled (by an early payoff) are left out, and the totals are those of the
        lines printed: #1 (0.00 interest, principal 0.00) and #2 (9.30 of interest)."""
        contract = self.contract
        lines = self._schedule(contract)
        # As the early payoff does, as the system.
        lines[2:].sudo().write({"cancelled": True})
        doc = self._render(contract)
        rows = doc.xpath("//table[starts-with(@name, 'schedule')]/tbody/tr")
        self.assertEqual(len(rows), 3)
        self.assertEqual([row.xpath("td")[0].text_content().split()[0] for row in rows[:2]], ["1", "2"])
        self.assertNotIn("Cancelled", doc.text_content())
        self.assertNotIn("Residual Value", " ".join(rows[-2].text_content().split()))
        totals = [" ".join(td.text_content().split()) for td in rows[-1].xpath("td")]
        self.assertEqual(totals[0], "Total")
        printed = lines[:2]
        self.assertEqual(sum(printed.mapped("interest")), 9.30)
        for cell, value in zip(totals[1:4], (0.0, 9.30, 9.30)):
            self.assertIn(f"{value:,.2f}", cell)

    def test_layout_flows_and_keeps_the_signatures_with_the_end(self):
        """No block forces the terms or the schedule onto a new page; the schedule's title and
        header stay with its first lines, and the signatures sit in one unbreakable block with
        its last lines, the totals and the closing clause. 12 instalments: 3 + 6 + 3."""
        contract = self._create_contract(term=12)
        doc = self._render(contract)
        self.assertFalse(doc.xpath("//*[contains(@style, 'page-break-before')]"))
        self.assertNotIn("page-break-inside", doc.xpath("//div[@id='terms']")[0].get("style") or "")
        start = doc.xpath("//div[@name='schedule_start']")[0]
        self.assertIn("page-break-inside: avoid", start.get("style"))
        self.assertTrue(start.xpath("./h5") and start.xpath(".//thead"))
        self.assertEqual(len(start.xpath(".//tbody/tr")), 3)
        self.assertEqual(len(doc.xpath("//table[@name='schedule_middle']/tbody/tr")), 6)
        closing = doc.xpath("//div[@name='closing']")[0]
        self.assertIn("page-break-inside: avoid", closing.get("style"))
        end_rows = closing.xpath(".//table[@name='schedule_end']/tbody/tr")
        self.assertEqual([row.get("name") for row in end_rows], [None, None, None, "schedule_totals"])
        self.assertEqual(end_rows[2].xpath("td")[0].text_content().strip(), "12")
        self.assertTrue(closing.xpath(".//p[@name='closing_clause']"))
        self.assertTrue(closing.xpath(".//table[@name='signatures']"))
