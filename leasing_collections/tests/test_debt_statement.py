from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import COLLECTOR, CollectionsCommon, give_cases

REPORT = "leasing_collections.report_leasing_debt_statement"


@tagged("post_install", "-at_install")
class TestDebtStatement(CollectionsCommon):
    """The statement of the hand-worked lease of ``CollectionsCommon`` (3,400.22, 3,400.22 and
    3,400.23 due on Feb 28, March 31 and April 30, 2026), read against the ledger.

    Instalments 1 and 2 are invoiced on their due dates; instalment 1 is paid 1,000.00 on March 2
    and 1,400.22 on March 16 (1,000.00 of it left), instalment 2 is unpaid; the lessee also pays
    250.00 on account on April 5. The close of April 10 accrues the penalty of 31.50 (instalment
    1: 1,000.00 x 0.05 % x 41 days... capped as ``test_close`` works out) and 17.00 (instalment 2)
    and bills both on one penalty invoice of 48.50, dated and due April 10 (the plan's billing
    day is the 10th). That invoice takes the lessee's balance, penalties first (the default
    payment order): 48.50 pays it in full, the other 201.50 goes to the oldest rent, instalment
    1, which is left owing 1,000.00 - 201.50 = 798.50 (paid 2,400.22 + 201.50 = 2,601.72). The
    partial reconciliations count from their later date: April 5 on the instalment (the payment's
    date), April 10 on the penalty invoice (its own date).

    So on April 10: overdue 798.50 + 3,400.22 = 4,198.72 (the ledger's 1,000.00 + 3,400.22 +
    48.50 - 250.00), penalty not yet invoiced 0.00 (31.50 and 17.00 are invoiced), not yet
    invoiced 3,400.23 (instalment 3), total owed 4,198.72 + 3,400.23 = 7,598.95, nothing left on
    account. Before the billing the total was 7,848.95 with 250.00 on account: the same debt."""

    USER_PREFIX = "statement"

    def setUp(self):
        super().setUp()
        self.contract = self._lease()
        self._invoice("2026-03-25")
        self.first, self.second = self._installment_invoices(self.contract)
        self.paid_1 = self._pay(self.first, amount=1000.0, payment_date="2026-03-02")
        self.paid_2 = self._pay(self.first, amount=1400.22, payment_date="2026-03-16")
        self.on_account = self._pay_on_account(self.lessee, 250.0, "2026-04-05")
        self._close("2026-04-10")
        self.penalty_invoice = self.env["account.move"].search(
            [
                ("leasing_contract_id", "=", self.contract.id),
                ("leasing_move_kind", "=", "penalty"),
                ("move_type", "=", "out_invoice"),
            ]
        )
        self.assertEqual(self.penalty_invoice.amount_total, 48.50)

    def _statement(self, **values):
        return self.env["leasing.debt.statement"].create({"contract_id": self.contract.id, **values})

    @freeze_time("2026-04-10")
    def test_figures_as_of_today_equal_the_ledger(self):
        statement = self._statement()
        self.assertEqual(statement.date, date(2026, 4, 10))
        self.assertEqual(statement.partner_id, self.lessee)
        self.assertFalse(statement.error)
        self.assertRecordValues(
            statement.line_ids,
            [
                {
                    "label": "1",
                    "status": "overdue",
                    "amount": 3400.22,
                    "amount_paid": 2601.72,
                    "amount_unpaid": 798.50,
                    "last_payment_date": date(2026, 4, 5),
                    "days_past_due": 41,
                    "penalty_accrued": 31.50,
                    "penalty_invoiced": 31.50,
                    "penalty_waived": 0.0,
                    "penalty_due": 0.0,
                },
                {
                    "label": "2",
                    "status": "overdue",
                    "amount": 3400.22,
                    "amount_paid": 0.0,
                    "amount_unpaid": 3400.22,
                    "last_payment_date": False,
                    "days_past_due": 10,
                    "penalty_accrued": 17.00,
                    "penalty_invoiced": 17.00,
                    "penalty_waived": 0.0,
                    "penalty_due": 0.0,
                },
                {
                    # The penalty invoice, a line of its own: its penalty is counted here only.
                    "label": f"Penalty Interest Invoice {self.penalty_invoice.name}",
                    "status": "paid",
                    "amount": 48.50,
                    "amount_paid": 48.50,
                    "amount_unpaid": 0.0,
                    "last_payment_date": date(2026, 4, 10),
                    "days_past_due": 0,
                    "penalty_accrued": 0.0,
                    "penalty_invoiced": 0.0,
                    "penalty_waived": 0.0,
                    "penalty_due": 0.0,
                },
                {
                    "label": "3",
                    "status": "scheduled",
                    "amount": 3400.23,
                    "amount_paid": 0.0,
                    "amount_unpaid": 3400.23,
                    "last_payment_date": False,
                    "days_past_due": 0,
                    "penalty_accrued": 0.0,
                    "penalty_invoiced": 0.0,
                    "penalty_waived": 0.0,
                    "penalty_due": 0.0,
                },
            ],
        )
        self.assertEqual(statement.line_ids.mapped("schedule_line_id"), self.contract.schedule_line_ids)
        self.assertRecordValues(
            statement.payment_ids,
            [
                {"date": date(2026, 3, 2), "kind": "payment", "amount": 1000.0},
                {"date": date(2026, 3, 16), "kind": "payment", "amount": 1400.22},
                # 48.50 to the penalty invoice and 201.50 to instalment 1.
                {"date": date(2026, 4, 5), "kind": "payment", "amount": 250.0},
            ],
        )
        self.assertEqual(
            statement.payment_ids.mapped("reference"),
            (self.paid_1 | self.paid_2 | self.on_account).move_id.mapped("name"),
        )
        self.assertRecordValues(
            statement,
            [
                {
                    "amount_overdue": 4198.72,
                    "amount_not_due": 0.0,
                    "amount_not_invoiced": 3400.23,
                    "penalty_due": 0.0,
                    "penalty_invoiced": 48.50,
                    "penalty_waived": 0.0,
                    "amount_total": 7598.95,
                    "customer_balance": 0.0,
                    "deposit_held": 0.0,
                    "close_date": date(2026, 4, 10),
                }
            ],
        )
        # The ledger's own figures (leasing_management reads the open receivable of the lease).
        contract = self.contract
        contract.invalidate_recordset()
        self.assertEqual(statement.amount_overdue + statement.amount_not_due, contract.amount_due)
        self.assertEqual(statement.amount_overdue, contract.amount_overdue)
        self.assertEqual(statement.customer_balance, contract.customer_balance)
        self.assertEqual(statement.deposit_held, contract.deposit_held)
        self.assertEqual(statement.penalty_due, sum(contract.schedule_line_ids.mapped("penalty_due")))
        self.assertEqual(statement.penalty_due, contract.penalty_due)
        self.assertEqual(statement.penalty_invoiced, sum(contract.schedule_line_ids.mapped("penalty_invoiced")))
        # The payoff: the early payoff wizard's quote for the same date.
        wizard = self.env["leasing.payoff.wizard"].create({"contract_id": contract.id, "payoff_date": "2026-04-10"})
        self.assertFalse(wizard.warning)
        self.assertTrue(wizard.amount_total)
        self.assertEqual(statement.payoff_amount, wizard.amount_total)
        self.assertFalse(statement.payoff_note)

    @freeze_time("2026-04-10")
    def test_paid_off_lease_still_equals_the_ledger(self):
        """Paid off on April 10: instalment 3 is cancelled and left out, the penalty invoice and the
        settlement invoice are lines of their own (in that order, both dated April 10), the
        settlement not yet overdue on its due date; what is owed is still the ledger's."""
        wizard = self.env["leasing.payoff.wizard"].create(
            {"contract_id": self.contract.id, "payoff_date": "2026-04-10"}
        )
        wizard.action_confirm()
        settlement = self.contract.payoff_invoice_id
        self.assertTrue(settlement)
        statement = self._statement()
        self.assertEqual(
            statement.line_ids.mapped("label"),
            [
                "1",
                "2",
                f"Penalty Interest Invoice {self.penalty_invoice.name}",
                f"Early Payoff Invoice {settlement.name}",
            ],
        )
        self.assertEqual(statement.line_ids.mapped("status"), ["overdue", "overdue", "paid", "invoiced"])
        self.assertEqual(statement.amount_not_due, settlement.amount_residual)
        self.assertEqual(statement.amount_not_invoiced, 0.0)
        self.contract.invalidate_recordset()
        self.assertEqual(statement.amount_overdue + statement.amount_not_due, self.contract.amount_due)
        self.assertEqual(statement.amount_overdue, 4198.72)
        # The penalty billed on April 10 is not billed again by the settlement, nor counted twice.
        self.assertEqual((statement.penalty_due, statement.penalty_invoiced), (0.0, 48.50))
        self.assertFalse(statement.payoff_amount)
        self.assertIn("already paid off", statement.payoff_note)

    @freeze_time("2026-04-10")
    def test_backdated_statement_reads_the_ledger_of_its_day(self):
        """On March 10 instalment 1 (invoiced Feb 28) had 1,000.00 paid, 2,400.22 left, 10 days
        past due; instalment 2's invoice (dated March 31) and the payments since were not in the
        ledger yet, nor the penalty invoice of April 10 (no line of it) and the 201.50 of the
        payment on account (counted from April 5)."""
        statement = self._statement(date="2026-03-10")
        self.assertRecordValues(
            statement.line_ids,
            [
                {"status": "overdue", "amount_paid": 1000.0, "amount_unpaid": 2400.22, "days_past_due": 10},
                {"status": "scheduled", "amount_paid": 0.0, "amount_unpaid": 3400.22, "days_past_due": 0},
                {"status": "scheduled", "amount_paid": 0.0, "amount_unpaid": 3400.23, "days_past_due": 0},
            ],
        )
        self.assertEqual(statement.payment_ids.mapped("amount"), [1000.0])
        self.assertRecordValues(
            statement,
            [
                {
                    "amount_overdue": 2400.22,
                    "amount_not_due": 0.0,
                    "amount_not_invoiced": 6800.45,
                    "customer_balance": 0.0,
                }
            ],
        )
        wizard = self.env["leasing.payoff.wizard"].create(
            {"contract_id": self.contract.id, "payoff_date": "2026-03-10"}
        )
        self.assertEqual(statement.payoff_amount, wizard.amount_total)

    @freeze_time("2026-04-10")
    def test_every_lease_of_the_lessee(self):
        """A second lease of the lessee, its two invoices paid in full (the 250.00 paid on account
        went to the first lease's penalty invoice and instalment 1 at the close, before them): the
        lessee's statement covers both, its totals are the sums of the two leases': overdue and
        penalty are the first lease's, not yet invoiced 3,400.23 + 3,400.23."""
        other = self._lease()
        self._invoice("2026-04-10")
        self._pay(self._installment_invoices(other)[:2])
        statement = self.env["leasing.debt.statement"].create({"partner_id": self.lessee.id})
        self.assertEqual(statement.contract_ids, self.contract | other)
        self.assertEqual(len(statement.line_ids), 7)
        self.assertEqual(
            statement.line_ids.filtered(lambda line: line.contract_id == other).mapped("status"),
            ["paid", "paid", "scheduled"],
        )
        self.assertRecordValues(
            statement,
            [
                {
                    "amount_overdue": 4198.72,
                    "amount_not_invoiced": 6800.46,
                    "penalty_due": 0.0,
                    "penalty_invoiced": 48.50,
                    "customer_balance": 0.0,
                }
            ],
        )
        applied = statement.payment_ids.filtered(lambda payment: payment.contract_id == other)
        self.assertEqual(sum(applied.mapped("amount")), 6800.44)
        self.assertNotIn(self.on_account.move_id.name, applied.mapped("reference"))
        first = statement.payment_ids.filtered(lambda payment: payment.contract_id == self.contract)
        self.assertEqual(first.filtered(lambda p: p.reference == self.on_account.move_id.name).amount, 250.0)
        single = self.env["leasing.debt.statement"].create({"partner_id": self.lessee.id, "contract_id": other.id})
        self.assertEqual(single.contract_ids, other)
        self.assertEqual(single.amount_overdue, 0.0)

    @freeze_time("2026-04-10")
    def test_bad_dates_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be dated .*a day still to come"):
            self._statement(date="2026-04-11")
        with self.assertRaisesRegex(ValidationError, "comes before .* started"):
            self._statement(date="2026-01-30")
        statement = self._statement(date="2026-01-31")
        self.assertEqual(statement.amount_not_invoiced, 10200.67)
        # Through the screen: the figures are left out and the error shown; printing refused.
        with Form(self.env["leasing.debt.statement"].with_context(default_contract_id=self.contract.id)) as form:
            form.date = date(2026, 4, 11)
            self.assertIn("a day still to come", form.error)
            self.assertEqual(form.amount_total, 0.0)
            form.date = date(2026, 4, 10)
            self.assertFalse(form.error)
            self.assertEqual(form.amount_total, 7598.95)

    @freeze_time("2026-04-10")
    def test_pdf_renders_its_figures(self):
        """The schedule has the penalty invoice as a row of its own (no penalty columns: those are
        the instalments'), the totals say what is invoiced of the penalty without adding it."""
        statement = self._statement()
        content, report_type = self.env["ir.actions.report"]._render_qweb_html(REPORT, statement.ids)
        self.assertEqual(report_type, "html")
        doc = html.fromstring(content)
        rows = doc.xpath("//table[@name='schedule']/tbody/tr")
        self.assertEqual(len(rows), 4)
        first = " ".join(rows[0].text_content().split())
        for figure in ("Overdue", "3,400.22", "2,601.72", "41", "31.50"):
            self.assertIn(figure, first)
        # Something of the penalty was invoiced: its billing columns are shown.
        headers = [" ".join(th.text_content().split()) for th in doc.xpath("//table[@name='schedule']/thead//th")]
        self.assertEqual(headers[-4:], ["Penalty accrued", "Penalty invoiced", "Penalty waived", "Penalty due"])
        cells = [" ".join(td.text_content().split()) for td in rows[0]]
        self.assertEqual(cells[-4:], ["31.50", "31.50", "0.00", "0.00"])
        cells = [" ".join(td.text_content().split()) for td in rows[2]]
        self.assertEqual(cells[0], f"Penalty Interest Invoice {self.penalty_invoice.name}")
        self.assertEqual(cells[2:5], ["Paid", "48.50", "48.50"])
        self.assertEqual(cells[-4:], ["", "", "", ""])
        totals = doc.xpath(f"//table[@name='totals_{self.contract.id}']")[0]
        text = " ".join(totals.text_content().split())
        for figure in ("4,198.72", "3,400.23", "7,598.95"):
            self.assertIn(figure, text)
        invoiced = " ".join(totals.xpath(".//tr[@name='penalty_invoiced']")[0].text_content().split())
        self.assertIn("in the invoices above", invoiced)
        self.assertIn("48.50", invoiced)
        self.assertFalse(totals.xpath(".//tr[@name='penalty_waived']"))
        payoff = " ".join(doc.xpath(f"//p[@name='payoff_{self.contract.id}']")[0].text_content().split())
        self.assertIn(f"{statement.payoff_amount:,.2f}", payoff)
        self.assertIn("0.00", doc.xpath("//p[@name='customer_balance']")[0].text_content())
        self.assertEqual(len(doc.xpath("//table[@name='payments']/tbody/tr")), 3)
        # A lease with nothing invoiced or waived of the penalty: no column for them, so the
        # schedule fits.
        other = self._lease()
        content, _type = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, self._statement(contract_id=other.id).ids
        )
        doc = html.fromstring(content)
        headers = [" ".join(th.text_content().split()) for th in doc.xpath("//table[@name='schedule']/thead//th")]
        self.assertNotIn("Penalty waived", headers)
        self.assertEqual(len(headers), 9)

    @freeze_time("2026-04-10")
    def test_penalty_invoice_partly_paid_and_waived(self):
        """The 250.00 on account taken back from the invoices (unreconciled), 8.50 of instalment
        1's invoiced penalty waived (a credit note of 8.50 set against the open penalty invoice)
        and 15.00 paid on the penalty invoice: of its 48.50, 23.50 is paid (8.50 + 15.00) and
        25.00 unpaid, "Partially Paid" on its due date, so not yet due.

        Instalment 1 owes 1,000.00 again, instalment 2 3,400.22: overdue 4,400.22. Penalty of
        instalment 1: accrued 31.50 = invoiced 31.50 - 8.50 = 23.00 + waived 8.50 + due 0.00;
        instalment 2: 17.00 invoiced. Penalty invoiced 23.00 + 17.00 = 40.00, waived 8.50, due
        0.00. Total owed 4,400.22 + 25.00 + 3,400.23 = 7,825.45, i.e. the ledger's 4,425.22 due
        plus instalment 3; 250.00 back on account."""
        self.on_account.move_id.line_ids.remove_move_reconcile()
        schedule = self.contract.schedule_line_ids.sorted("sequence")
        waiver = schedule[0]._leasing_waive_penalty(8.50, "Goodwill")
        self.assertEqual(waiver.amount_credited, 8.50)
        self.assertEqual(self.penalty_invoice.amount_residual, 40.0)
        partial = self._pay(self.penalty_invoice, amount=15.0, payment_date="2026-04-10")
        self.assertEqual(self.penalty_invoice.amount_residual, 25.0)
        statement = self._statement()
        self.assertRecordValues(
            statement.line_ids,
            [
                {
                    "label": "1",
                    "status": "overdue",
                    "amount_paid": 2400.22,
                    "amount_unpaid": 1000.0,
                    "penalty_invoiced": 23.0,
                    "penalty_waived": 8.50,
                },
                {
                    "label": "2",
                    "status": "overdue",
                    "amount_paid": 0.0,
                    "amount_unpaid": 3400.22,
                    "penalty_invoiced": 17.0,
                    "penalty_waived": 0.0,
                },
                {
                    "label": f"Penalty Interest Invoice {self.penalty_invoice.name}",
                    "status": "partial",
                    "amount_paid": 23.50,
                    "amount_unpaid": 25.0,
                    "penalty_invoiced": 0.0,
                    "penalty_waived": 0.0,
                },
                {
                    "label": "3",
                    "status": "scheduled",
                    "amount_paid": 0.0,
                    "amount_unpaid": 3400.23,
                    "penalty_invoiced": 0.0,
                    "penalty_waived": 0.0,
                },
            ],
        )
        penalty_row = statement.line_ids[2]
        self.assertEqual(
            (penalty_row.amount, penalty_row.last_payment_date, penalty_row.days_past_due),
            (48.50, date(2026, 4, 10), 0),
        )
        self.assertRecordValues(
            schedule[0],
            [{"penalty_accrued": 31.50, "penalty_invoiced": 23.0, "penalty_waived": 8.50, "penalty_due": 0.0}],
        )
        self.assertRecordValues(
            statement,
            [
                {
                    "amount_overdue": 4400.22,
                    "amount_not_due": 25.0,
                    "amount_not_invoiced": 3400.23,
                    "penalty_due": 0.0,
                    "penalty_invoiced": 40.0,
                    "penalty_waived": 8.50,
                    "amount_total": 7825.45,
                    "customer_balance": 250.0,
                }
            ],
        )
        self.assertEqual(
            sorted(statement.payment_ids.mapped(lambda p: (p.reference, p.kind, p.amount)))[-2:],
            sorted(
                [
                    (waiver.credit_note_id.name, "refund", 8.50),
                    (partial.move_id.name, "payment", 15.0),
                ]
            ),
        )
        self.contract.invalidate_recordset()
        self.assertEqual(statement.amount_overdue + statement.amount_not_due, self.contract.amount_due)
        self.assertEqual(statement.customer_balance, self.contract.customer_balance)
        wizard = self.env["leasing.payoff.wizard"].create(
            {"contract_id": self.contract.id, "payoff_date": "2026-04-10"}
        )
        self.assertEqual(statement.payoff_amount, wizard.amount_total)
        # The PDF: the invoice's row and both penalty figures beside the totals.
        content, _type = self.env["ir.actions.report"]._render_qweb_html(REPORT, statement.ids)
        doc = html.fromstring(content)
        row = " ".join(doc.xpath("//table[@name='schedule']/tbody/tr")[2].text_content().split())
        for figure in ("Penalty Interest Invoice", "Partially Paid", "48.50", "23.50"):
            self.assertIn(figure, row)
        totals = doc.xpath(f"//table[@name='totals_{self.contract.id}']")[0]
        self.assertIn("40.00", totals.xpath(".//tr[@name='penalty_invoiced']")[0].text_content())
        self.assertIn("8.50", totals.xpath(".//tr[@name='penalty_waived']")[0].text_content())
        self.assertIn("7,825.45", totals.text_content())

    @freeze_time("2026-04-10")
    def test_send_by_email_with_the_template(self):
        self.lessee.email = "sierra@example.com"
        statement = self._statement()
        action = statement.action_send_email()
        template = self.env.ref("leasing_collections.mail_template_leasing_debt_statement")
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertEqual(
            template.report_template_ids, self.env.ref("leasing_collections.action_report_leasing_debt_statement")
        )
        composer = Form(self.env["mail.compose.message"].with_context(action["context"])).save()
        self.assertEqual(composer.template_id, template)
        self.assertEqual(composer.partner_ids, self.lessee)
        self.assertIn(statement.name, composer.subject)
        self.assertEqual(statement.name, "Debt Statement - Transportes Sierra - 2026-04-10")
        # A PDF, or its HTML when the tests do not run wkhtmltopdf.
        self.assertRegex(composer.attachment_ids.name, rf"^{statement.name}\.(pdf|html)$")
        composer._action_send_mail()
        message = self.env["mail.message"].search(
            [("model", "=", statement._name), ("res_id", "=", statement.id)], order="id desc", limit=1
        )
        self.assertEqual(message.partner_ids, self.lessee)
        self.assertEqual(message.attachment_ids, composer.attachment_ids)

    @freeze_time("2026-04-10")
    def test_collector_prints_but_changes_nothing(self):
        collector = new_test_user(self.env, "statement_collector", groups=COLLECTOR, company_id=self.company.id)
        # The lease behind the collector's case: the one they read.
        give_cases(self.contract, collector)
        Statement = self.env["leasing.debt.statement"].with_user(collector)
        statement = Statement.create({"contract_id": self.contract.id})
        self.assertEqual(statement.amount_total, 7598.95)
        self.assertEqual(statement.payoff_amount, self._statement().payoff_amount)
        content, _type = self.env["ir.actions.report"].with_user(collector)._render_qweb_html(REPORT, statement.ids)
        self.assertIn("7,598.95", content.decode())
        self.assertEqual(statement.action_print()["report_name"], REPORT)
        self.lessee.email = "sierra@example.com"
        action = statement.action_send_email()
        composer = Form(self.env["mail.compose.message"].with_user(collector).with_context(action["context"])).save()
        composer._action_send_mail()
        # Read as superuser: the collector's statement is theirs alone (a transient record).
        message = (
            self.env["mail.message"].sudo().search([("model", "=", statement._name), ("res_id", "=", statement.id)])
        )
        self.assertEqual((message.author_id, message.partner_ids), (collector.partner_id, self.lessee))
        contract = self.contract.with_user(collector)
        with self.assertRaises(AccessError):
            contract.write({"note": "changed"})
        with self.assertRaises(AccessError):
            contract.schedule_line_ids[:1].write({"penalty_waived": 31.50})
        with self.assertRaises(AccessError):
            self.first.with_user(collector).write({"ref": "changed"})
        # The figures are the ledger's, on the screen and in the e-mail's body too: nobody sets
        # them, by RPC or by a default.
        with self.assertRaises(AccessError):
            statement.write({"amount_overdue": 0.0})
        with self.assertRaises(AccessError):
            Statement.create({"contract_id": self.contract.id, "penalty_due": 0.0})
        faked = Statement.with_context(default_amount_overdue=1.0, default_payoff_amount=1.0).create(
            {"contract_id": self.contract.id}
        )
        self.assertEqual((faked.amount_overdue, faked.payoff_amount), (4198.72, statement.payoff_amount))
        with self.assertRaises(AccessError):
            statement.line_ids[:1].write({"amount_unpaid": 0.0})
        with self.assertRaises(AccessError):
            self.env["leasing.debt.statement.payment"].with_user(collector).create(
                {"statement_id": statement.id, "amount": 1.0}
            )
        # A manager of the leases (test user) meets the same refusal: only the computation writes.
        with self.assertRaises(AccessError):
            self._statement().write({"customer_balance": 0.0})
        # Nothing was written by printing: no payoff was made, the figures are the close's.
        self.assertFalse(self.contract.payoff_invoice_id)
        self.assertEqual(self.contract.schedule_line_ids.mapped("penalty_invoiced"), [31.50, 17.00, 0.0])

    @freeze_time("2026-04-10")
    def test_other_company_cannot_see_the_lease(self):
        other_company = self.env["res.company"].create({"name": "Other Lessor"})
        stranger = new_test_user(self.env, "statement_stranger", groups=COLLECTOR, company_id=other_company.id)
        with self.assertRaises(AccessError):
            self.env["leasing.debt.statement"].with_user(stranger).create({"contract_id": self.contract.id})
        statement = self._statement()
        with self.assertRaises(AccessError):
            statement.with_user(stranger).read(["amount_total"])

    @freeze_time("2026-04-10")
    def test_print_refused_without_a_lease(self):
        nobody = self.env["res.partner"].create({"name": "No Lease"})
        statement = self.env["leasing.debt.statement"].create({"partner_id": nobody.id})
        self.assertIn("has no lease", statement.error)
        with self.assertRaisesRegex(UserError, "has no lease"):
            statement.action_print()


@tagged("post_install", "-at_install")
class TestDebtStatementLanguages(CollectionsCommon):
    """The statement reaches a Chinese or a Spanish lessee in their language: the PDF's headings,
    the statuses, the e-mail, and the errors of a user working in it."""

    USER_PREFIX = "statement_lang"
    LANGS = ("zh_CN", "es_ES")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in cls.LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["leasing_management", "leasing_collections"], list(cls.LANGS), overwrite=True
        )
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()

    @freeze_time("2026-04-10")
    def test_pdf_and_email_in_the_lessee_language(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        self._pay(self._installment_invoices(contract)[:1], amount=1000.0, payment_date="2026-03-02")
        self._close("2026-04-10")
        self.lessee.email = "sierra@example.com"
        expected = {
            "zh_CN": ("欠款对账单", "已收款项", "欠款合计", "逾期", "已安排", "附件是您在"),
            "es_ES": ("Estado de deuda", "Pagos recibidos", "Total adeudado", "Vencido", "Planificado", "Adjuntamos"),
        }
        for lang, (title, payments, total, overdue, scheduled, greeting) in expected.items():
            with self.subTest(lang=lang):
                self.lessee.lang = lang
                # The office works in English: the document follows the lessee.
                statement = (
                    self.env["leasing.debt.statement"].with_context(lang="en_US").create({"contract_id": contract.id})
                )
                content, _type = self.env["ir.actions.report"]._render_qweb_html(REPORT, statement.ids)
                doc = html.fromstring(content)
                self.assertEqual(doc.xpath("//h2")[0].text_content().strip(), title)
                self.assertIn(payments, [h.text_content().strip() for h in doc.xpath("//h5")])
                rows = doc.xpath("//table[@name='schedule']/tbody/tr")
                self.assertIn(overdue, rows[0].text_content())
                # Instalments 1 and 2, the penalty invoice of April 10, instalment 3.
                self.assertEqual(len(rows), 4)
                self.assertIn(scheduled, rows[3].text_content())
                self.assertIn(total, doc.xpath(f"//table[@name='totals_{contract.id}']")[0].text_content())
                self.assertNotIn("Debt Statement", doc.text_content())
                action = statement.action_send_email()
                composer = Form(self.env["mail.compose.message"].with_context(action["context"])).save()
                self.assertIn(greeting, composer.body)
                self.assertIn(title, composer.subject)

    @freeze_time("2026-04-10")
    def test_date_errors_translated(self):
        contract = self._lease()
        expected = {"zh_CN": "欠款对账单的日期不能是尚未到来的", "es_ES": "Un estado de deuda no puede tener fecha"}
        for lang, start in expected.items():
            with self.subTest(lang=lang), self.assertRaises(ValidationError) as caught:
                self.env["leasing.debt.statement"].with_context(lang=lang).create(
                    {"contract_id": contract.id, "date": "2026-04-11"}
                )
            self.assertTrue(caught.exception.args[0].startswith(start), caught.exception.args[0])
