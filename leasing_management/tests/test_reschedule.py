from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_ledger import LeasingLedgerCommon
from .view_helpers import shows, view_arch

SCHEDULE_FIELDS = ["sequence", "line_type", "due_date", "principal", "interest", "amount", "balance"]


@tagged("post_install", "-at_install")
class TestLeaseReschedule(LeasingLedgerCommon):
    """Changes during the lease, on hand-worked leases.

    The lease of most tests: items 1,000.00, nothing down, 12 % a year, monthly (r = 0.01),
    4 instalments in arrears from 2026-01-31. Level instalment 1000 x 0.01 / (1 - 1.01 ** -4)
    = 256.2811 -> 256.28:

    ===  ==========  =========  ========  ======  =======
     #   due         principal  interest  amount  balance
    ===  ==========  =========  ========  ======  =======
     1   2026-02-28     246.28     10.00  256.28   753.72
     2   2026-03-31     248.74      7.54  256.28   504.98
     3   2026-04-30     251.23      5.05  256.28   253.75
     4   2026-05-31     253.75      2.54  256.29     0.00
    ===  ==========  =========  ========  ======  =======

    (7.5372 -> 7.54, 5.0498 -> 5.05, 2.5375 -> 2.54.) On 2026-02-25 (invoicing horizon 10 days)
    instalment 1 is invoiced; 753.72 of principal is still owed.
    """

    USER_PREFIX = "resched"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Equipment 4 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 4,
                "annual_rate": 12.0,
            }
        )
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.loader = cls.env["product.product"].create({"name": "Loader", "lst_price": 600.0})
        cls.trailer = cls.env["product.product"].create({"name": "Trailer", "lst_price": 400.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Constructora Andina", "is_company": True})

    def _activate(self, products=None, **values):
        """Create (seller), submit, review, approve and activate (approver) a lease."""
        return self._activate_contract(self._lease_vals(products, **values))

    def _activate_and_invoice_first(self, products=None, **values):
        contract = self._activate(products, **values)
        contract.action_invoice_due()
        first = self._schedule(contract)[:1]
        self.assertTrue(first.invoice_id, "instalment 1 is invoiced on 2026-02-25")
        self.assertFalse(self._schedule(contract)[1:].invoice_id)
        return contract

    def _schedule(self, contract):
        return contract.schedule_line_ids.sorted("sequence")

    def _snapshot(self, contract):
        return [(line.id, *(line[f] for f in SCHEDULE_FIELDS)) for line in self._schedule(contract)]

    def _rows(self, table):
        """Expected rows from (sequence, due, principal, interest, amount, balance) tuples."""
        return [
            dict(zip(SCHEDULE_FIELDS, (seq, "installment", due, principal, interest, amount, balance)))
            for seq, due, principal, interest, amount, balance in table
        ]

    def _net_investment(self, contract):
        """Balance of the lease receivable (net investment) for this contract."""
        lines = self.env["account.move.line"].search(
            [
                ("leasing_contract_id", "=", contract.id),
                ("account_id", "=", self.plan.receivable_account_id.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return self.company.currency_id.round(sum(lines.mapped("balance")))

    def _prepay(self, contract, amount, mode, on_date="2026-02-25"):
        wizard = self.env["leasing.prepayment.wizard"].create(
            {"contract_id": contract.id, "amount": amount, "mode": mode, "date": on_date}
        )
        return wizard.action_confirm()

    def _assert_balanced(self, move):
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), places=2)

    # ------------------------------------------------------------------
    # Partial prepayment
    # ------------------------------------------------------------------
    @freeze_time("2026-02-25")
    def test_prepayment_lower_installment(self):
        contract = self._activate_and_invoice_first()
        first = self._snapshot(contract)[0]
        with Form(self.env["leasing.prepayment.wizard"].with_context(default_contract_id=contract.id)) as form:
            form.amount = 253.72
            form.mode = "lower"
            # What the screen shows before confirming.
            self.assertEqual(form.amount_owed, 753.72)
            self.assertEqual(form.current_installment, 256.28)
            self.assertEqual((form.new_installment, form.new_count), (170.01, 3))
            self.assertEqual(form.new_end_date, date(2026, 5, 31))
        wizard = form.record
        wizard.action_confirm()

        # 753.72 - 253.72 = 500.00 over the same 3 months:
        #   PMT = 500 x 0.01 / (1 - 1.01 ** -3) = 170.0110 -> 170.01
        #   2: I = 5.00  P = 165.01  B = 334.99;  3: I = 3.3499 -> 3.35  P = 166.66  B = 168.33
        #   4: I = 1.6833 -> 1.68  P = 168.33  A = 170.01  B = 0
        lines = self._schedule(contract)
        self.assertEqual(self._snapshot(contract)[0], first, "the invoiced instalment stays as it was")
        self.assertRecordValues(
            lines[1:],
            self._rows(
                [
                    (2, date(2026, 3, 31), 165.01, 5.00, 170.01, 334.99),
                    (3, date(2026, 4, 30), 166.66, 3.35, 170.01, 168.33),
                    (4, date(2026, 5, 31), 168.33, 1.68, 170.01, 0.0),
                ]
            ),
        )
        self.assertEqual(lines[1:].mapped("state"), ["planned"] * 3)
        self.assertEqual(contract.term, 4)
        self.assertEqual(contract.end_date, date(2026, 5, 31))
        # Principal: 246.28 invoiced + 253.72 prepaid + 500.00 rescheduled = 1,000.00 financed.
        self.assertAlmostEqual(sum(lines.mapped("principal")) + 253.72, 1000.0, places=2)

        invoice = contract.move_ids.filtered(lambda m: m.leasing_move_kind == "prepayment")
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.lessee.id,
                    "invoice_date": date(2026, 2, 25),
                    "amount_untaxed": 253.72,
                    "amount_total": 253.72,
                    "journal_id": self.plan.journal_id.id,
                }
            ],
        )
        self.assertEqual(invoice.invoice_line_ids.account_id, self.plan.receivable_account_id)
        self._assert_balanced(invoice)
        # The net investment: 1,000.00 - 246.28 (instalment 1) - 253.72 = 500.00, the principal
        # the schedule still has to invoice.
        self.assertEqual(self._net_investment(contract), 500.0)
        message = contract.message_ids[:1]
        self.assertIn("253.72", message.body)
        self.assertIn("170.01", message.body)
        self.assertIn("256.28", message.body)

    @freeze_time("2026-02-25")
    def test_prepayment_shorter_term_with_principal_tax(self):
        self.assertEqual(self.tax_sale_a.amount, 15.0)
        self.plan.principal_tax_ids = self.tax_sale_a
        contract = self._activate_and_invoice_first()
        first = self._snapshot(contract)[0]
        self._prepay(contract, 253.72, "shorter")

        # Keep 256.28: nper(0.01, -256.28, 500.00) = 1.980 -> 2 instalments:
        #   2: I = 5.00  P = 251.28  B = 248.72;  3: I = 2.4872 -> 2.49  P = 248.72  A = 251.21
        lines = self._schedule(contract)
        self.assertEqual(self._snapshot(contract)[0], first)
        self.assertRecordValues(
            lines[1:],
            self._rows(
                [
                    (2, date(2026, 3, 31), 251.28, 5.00, 256.28, 248.72),
                    (3, date(2026, 4, 30), 248.72, 2.49, 251.21, 0.0),
                ]
            ),
        )
        self.assertEqual(contract.term, 3)
        self.assertEqual(contract.end_date, date(2026, 4, 30))
        self.assertAlmostEqual(sum(lines.mapped("principal")) + 253.72, 1000.0, places=2)
        invoice = contract.move_ids.filtered(lambda m: m.leasing_move_kind == "prepayment")
        # 253.72 + 15 % = 253.72 + 38.058 -> 38.06 = 291.78
        self.assertEqual((invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (253.72, 38.06, 291.78))
        self._assert_balanced(invoice)
        self.assertEqual(self._net_investment(contract), 500.0)
        body = contract.message_ids[:1].body
        self.assertIn("05/31/2026", body)  # the last due date before
        self.assertIn("04/30/2026", body)  # and after

    @freeze_time("2026-02-25")
    def test_prepayment_refused_and_nothing_changed(self):
        contract = self._activate_and_invoice_first()
        before = self._snapshot(contract)
        moves = contract.move_ids
        Wizard = self.env["leasing.prepayment.wizard"]
        # More than the 753.72 owed; all of it (that is the early payoff); nothing.
        for amount in (753.73, 753.72, 0.0, -10.0):
            with self.subTest(amount=amount), self.assertRaises(UserError):
                self._prepay(contract, amount, "lower")
        # Instalment 2 (due 2026-03-31) is not invoiced yet: no prepayment after it.
        with self.assertRaisesRegex(UserError, "not invoiced yet"):
            self._prepay(contract, 100.0, "lower", on_date="2026-04-01")
        self.assertEqual(self._snapshot(contract), before)
        self.assertEqual(contract.move_ids, moves)
        self.assertEqual(contract.term, 4)
        # A contract that is not active has nothing to prepay.
        draft = self.env["leasing.contract"].create(self._lease_vals())
        with self.assertRaisesRegex(UserError, "only be changed while the lease is active"):
            draft.action_open_prepayment_wizard()
        with self.assertRaisesRegex(UserError, "only be changed while the lease is active"):
            Wizard.create({"contract_id": draft.id, "amount": 100.0, "mode": "lower"}).action_confirm()

    @freeze_time("2026-02-25")
    def test_prepayment_preview_waits_for_an_amount(self):
        """Opened, before any amount is typed: what the lease owes now, no error and no new
        terms; the first amount typed gives them."""
        contract = self._activate_and_invoice_first()
        form = Form(self.env["leasing.prepayment.wizard"].with_context(default_contract_id=contract.id))
        self.assertFalse(form.preview_error)
        self.assertEqual((form.amount_owed, form.current_installment, form.current_count), (753.72, 256.28, 3))
        self.assertEqual((form.new_installment, form.new_count), (0.0, 0))
        arch = view_arch(self.env["leasing.prepayment.wizard"])
        confirm = arch.xpath("//button[@name='action_confirm']")[0]
        self.assertFalse(shows(confirm, form.save()))
        form.amount = 253.72
        self.assertFalse(form.preview_error)
        self.assertEqual((form.new_installment, form.new_count), (170.01, 3))
        self.assertTrue(shows(confirm, form.save()))

    @freeze_time("2026-02-25")
    def test_changes_need_a_leasing_manager_with_invoicing_rights(self):
        contract = self._activate_and_invoice_first()
        with self.assertRaises(AccessError):
            self.env["leasing.prepayment.wizard"].with_user(self.seller).create(
                {"contract_id": contract.id, "amount": 100.0, "mode": "lower"}
            )
        wizard = (
            self.env["leasing.prepayment.wizard"]
            .with_user(self.approver)
            .create({"contract_id": contract.id, "amount": 100.0, "mode": "lower"})
        )
        with self.assertRaisesRegex(AccessError, "Invoicing"):
            wizard.action_confirm()

    # ------------------------------------------------------------------
    # Balloon extension
    # ------------------------------------------------------------------
    def test_extension_refused_without_residual(self):
        contract = self._activate()
        self.assertFalse(contract.can_extend_balloon)
        wizard = self.env["leasing.extension.wizard"].create({"contract_id": contract.id, "extra_count": 2})
        before = self._snapshot(contract)
        with self.assertRaisesRegex(UserError, "no residual value left to extend"):
            wizard.action_confirm()
        self.assertEqual(self._snapshot(contract), before)

    def test_extension_turns_the_residual_into_instalments(self):
        """Items 1,000.00, residual 20 % = 200.00, 3 instalments at 12 % in arrears:
        PMT = (1000 - 200 / 1.01 ** 3) x 0.01 / (1 - 1.01 ** -3) = 274.0177 -> 274.02
          1 (02-28): I = 10.00  P = 264.02  B = 735.98
          2 (03-31): I = 7.3598 -> 7.36  P = 266.66  B = 469.32
          3 (04-30): I = 4.6932 -> 4.69  P = 269.32  A = 274.01  B = 200.00
          residual (04-30): 200.00
        Extended over 2 months at 6 % (r = 0.005): PMT = 200 x 0.005 / (1 - 1.005 ** -2) = 100.7506 -> 100.75
          4 (05-31): I = 1.00  P = 99.75  B = 100.25
          5 (06-30): I = 100.25 x 0.005 = 0.50125 -> 0.50  P = 100.25  A = 100.75  B = 0
        """
        self.plan.residual_pct = 20.0
        contract = self._activate(term=3)
        self.assertEqual(contract.residual_value, 200.0)
        self.assertTrue(contract.can_extend_balloon)
        kept = self._snapshot(contract)[:3]
        self.assertEqual([row[4] for row in kept], [264.02, 266.66, 269.32])  # principal

        wizard = self.env["leasing.extension.wizard"].create({"contract_id": contract.id})
        self.assertEqual((wizard.extra_count, wizard.annual_rate), (12, 12.0))  # a year, the contract's rate
        for values in ({"extra_count": 0}, {"annual_rate": 100.5}, {"annual_rate": -1.0}):
            with self.subTest(values=values), self.assertRaises(UserError):
                wizard.copy(values).action_confirm()
        wizard.write({"extra_count": 2, "annual_rate": 6.0})
        self.assertEqual((wizard.new_installment, wizard.new_end_date), (100.75, date(2026, 6, 30)))
        wizard.action_confirm()

        lines = self._schedule(contract)
        self.assertEqual(self._snapshot(contract)[:3], kept)
        self.assertRecordValues(
            lines[3:],
            self._rows(
                [
                    (4, date(2026, 5, 31), 99.75, 1.00, 100.75, 100.25),
                    (5, date(2026, 6, 30), 100.25, 0.50, 100.75, 0.0),
                ]
            ),
        )
        self.assertEqual(set(lines.mapped("line_type")), {"installment"})
        self.assertEqual((contract.term, contract.residual_value), (5, 0.0))
        self.assertEqual(contract.end_date, date(2026, 6, 30))
        self.assertAlmostEqual(sum(lines.mapped("principal")), 1000.0, places=2)
        self.assertFalse(contract.can_extend_balloon)
        self.assertIn("200.00", contract.message_ids[:1].body)
        self.assertIn("100.75", contract.message_ids[:1].body)
        # Instalment 4 is invoiced with the contract's new term in its label.
        with freeze_time("2026-05-25"):
            contract.action_invoice_due()
        self.assertIn("4/5", lines[3].invoice_id.ref)

    # ------------------------------------------------------------------
    # Discontinued item
    # ------------------------------------------------------------------
    @freeze_time("2026-02-25")
    def test_discontinue_item(self):
        """A loader (600.00) and a trailer (400.00): the same 1,000.00 lease. The trailer comes
        back on 2026-02-25, after instalment 1: its share is 400 / 1,000 x 753.72 = 301.488
        -> 301.49; 452.23 left over the same 3 months:
          PMT = 452.23 x 0.01 / (1 - 1.01 ** -3) = 153.7682 -> 153.77
          2: I = 4.5223 -> 4.52  P = 149.25  B = 302.98
          3: I = 3.0298 -> 3.03  P = 150.74  B = 152.24
          4: I = 1.5224 -> 1.52  P = 152.24  A = 153.76  B = 0
        """
        contract = self._activate_and_invoice_first(products=self.loader + self.trailer)
        loader, trailer = contract.line_ids.sorted(lambda line: -line.price_subtotal)
        first = self._snapshot(contract)[0]
        action = trailer.action_open_discontinue_wizard()
        wizard = (
            self.env["leasing.discontinue.wizard"]
            .with_context(action["context"])
            .create({"reason": "Returned: hydraulic leak", "date": "2026-02-25"})
        )
        self.assertEqual((wizard.line_id, wizard.share, wizard.new_installment), (trailer, 301.49, 153.77))
        wizard.action_confirm()

        lines = self._schedule(contract)
        self.assertEqual(self._snapshot(contract)[0], first)
        self.assertRecordValues(
            lines[1:],
            self._rows(
                [
                    (2, date(2026, 3, 31), 149.25, 4.52, 153.77, 302.98),
                    (3, date(2026, 4, 30), 150.74, 3.03, 153.77, 152.24),
                    (4, date(2026, 5, 31), 152.24, 1.52, 153.76, 0.0),
                ]
            ),
        )
        self.assertEqual(contract.term, 4)
        # 246.28 invoiced + 301.49 returned + 452.23 still to invoice = 1,000.00
        self.assertAlmostEqual(sum(lines.mapped("principal")) + 301.49, 1000.0, places=2)
        entry = contract.move_ids.filtered(lambda m: m.leasing_move_kind == "discontinue")
        self.assertEqual((entry.move_type, entry.journal_id), ("entry", self.plan.general_journal_id))
        self._assert_balanced(entry)
        self.assertRecordValues(
            entry.line_ids.sorted("debit", reverse=True),
            [
                {"account_id": self.plan.clearing_account_id.id, "debit": 301.49, "credit": 0.0},
                {"account_id": self.plan.receivable_account_id.id, "debit": 0.0, "credit": 301.49},
            ],
        )
        # 1,000.00 - 246.28 - 301.49 = 452.23: the ledger and the schedule agree.
        self.assertEqual(self._net_investment(contract), 452.23)
        self.assertRecordValues(
            trailer + loader,
            [
                {
                    "discontinued": True,
                    "discontinued_date": date(2026, 2, 25),
                    "discontinue_reason": "Returned: hydraulic leak",
                },
                {"discontinued": False, "discontinued_date": False, "discontinue_reason": False},
            ],
        )
        self.assertIn("301.49", contract.message_ids[:1].body)
        # The loader is the last item leased: ending the lease is the early payoff's job.
        with self.assertRaisesRegex(UserError, "last item"):
            self.env["leasing.discontinue.wizard"].create(
                {"contract_id": contract.id, "line_id": loader.id, "reason": "Returned"}
            ).action_confirm()
        # Marking an item returned only goes through the wizard.
        with self.assertRaisesRegex(AccessError, "set by the system"):
            loader.write({"discontinued": True})

    def test_wizards_stay_in_their_company(self):
        other = self.setup_other_company(name="Other Leasing Co")["company"]
        outsider = new_test_user(
            self.env,
            "resched_outsider",
            groups="leasing_management.group_leasing_manager,account.group_account_invoice",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        contract = self._activate()
        wizards = [
            self.env["leasing.prepayment.wizard"].create({"contract_id": contract.id, "amount": 10.0}),
            self.env["leasing.extension.wizard"].create({"contract_id": contract.id}),
            self.env["leasing.discontinue.wizard"].create(
                {"contract_id": contract.id, "line_id": contract.line_ids.id, "reason": "Returned"}
            ),
        ]
        for wizard in wizards:
            with self.subTest(model=wizard._name):
                self.assertEqual(wizard.company_id, self.company)
                self.assertFalse(wizard.with_user(outsider).search([("id", "=", wizard.id)]))
