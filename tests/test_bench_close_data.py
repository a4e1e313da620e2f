"""The bench's leases written by SQL are what the ORM writes (``make bench`` (d) and (e)).

bench/close_data.py makes a few prototype leases through the ORM (schedule, invoices, payments)
and copies them by SQL, set-based, to 100,000 leases. Here a sample of prototypes is made on the
test database and copied once each: a copy must carry the same schedule, invoices, journal items
and reconciliations as its prototype (with its own lessee and references), stored figures that
the ORM, recomputing them, leaves as they are, and it must get the same figures from the close.
The bench's pure-SQL pass must find the close's figures on them too.
"""

from freezegun import freeze_time

from bench import close_data
from odoo.tests import TransactionCase, tagged

CONTRACT_FIELDS = [
    "state",
    "plan_id",
    "company_id",
    "currency_id",
    "start_date",
    "items_total",
    "financed_amount",
    "installment_amount",
    "total_interest",
    "end_date",
]
CLOSE_FIELDS = ["days_past_due", "aging_bucket_id", "amount_in_arrears", "penalty_accrued", "penalty_due"]
LINE_FIELDS = [
    "sequence",
    "line_type",
    "due_date",
    "principal",
    "interest",
    "amount",
    "balance",
    "state",
    "amount_invoiced",
    "amount_paid",
    "amount_residual",
    "last_payment_date",
]
MOVE_FIELDS = [
    "move_type",
    "state",
    "payment_state",
    "date",
    "invoice_date",
    "invoice_date_due",
    "journal_id",
    "currency_id",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "leasing_move_kind",
]
ITEM_FIELDS = [
    "account_id",
    "display_type",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "date",
    "date_maturity",
    "tax_ids",
]


@tagged("post_install", "-at_install")
class TestBenchCloseData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        specs = close_data.prototype_specs()
        # A current lease, and one lease in arrears for each way of paying (a year or half a
        # year behind: several invoices, payments, bucket changes).
        sample = [next(spec for spec in specs if spec["kind"] == "current")]
        for pattern in close_data.PATTERNS:
            months = 13 if pattern in ("unpaid", "partial") else 6
            sample.append(next(spec for spec in specs if spec["pattern"] == pattern and spec["months"] == months))
        cls.specs = sample
        cls.prototypes = close_data.build_prototypes(cls.env, sample, label="Sample")
        cls.lessees = cls.env["res.partner"].create([{"name": f"Sample clone lessee {i}"} for i in range(3)])
        cls.written = close_data.clone(cls.env.cr, dict.fromkeys(cls.prototypes.ids, 1), cls.lessees.ids)
        copies = close_data.clone_map(cls.env.cr)
        cls.env.invalidate_all()
        cls.copies = cls.env["leasing.contract"].browse([copies[(proto.id, 1)] for proto in cls.prototypes])

    def _pairs(self):
        return list(zip(self.prototypes, self.copies, strict=True))

    def _invoices(self, contract):
        return contract.schedule_line_ids.sorted("sequence").invoice_id

    def _ledger(self, contract):
        """The ledger of a lease as the close reads it, and more: each invoice's figures, its
        journal items and what paid its receivable lines (amount, date, the payer)."""
        ledger = []
        for invoice in self._invoices(contract):
            items = invoice.line_ids.sorted(lambda item: (item.display_type, item.account_id.id, item.balance))
            paid = [
                (partial.amount, partial.debit_amount_currency, partial.credit_move_id.date)
                for item in items
                for partial in item.matched_credit_ids.sorted("id")
            ]
            ledger.append(
                (
                    invoice.read(MOVE_FIELDS)[0] | {"id": None},
                    [item.read(ITEM_FIELDS)[0] | {"id": None} for item in items],
                    paid,
                )
            )
        return ledger

    def _close_figures(self, contract):
        """What the close set on a lease, its lines and its history."""
        history = self.env["leasing.aging.history"].search([("contract_id", "=", contract.id)], order="date, id")
        return (
            contract.read(CLOSE_FIELDS)[0] | {"id": None},
            [(line.days_past_due, line.penalty_accrued) for line in contract.schedule_line_ids.sorted("sequence")],
            [
                (row.date, row.bucket_before_id, row.bucket_after_id, row.days_past_due, row.amount_overdue)
                for row in history
            ],
        )

    def test_copies_are_what_the_orm_wrote(self):
        self.assertEqual(self.written["leasing_contract"], len(self.specs))
        self.assertEqual(self.written["leasing_schedule_line"], len(self.specs) * close_data.TERM)
        self.assertGreater(self.written["account_partial_reconcile"], 4)
        for proto, copy in self._pairs():
            self.assertNotEqual(copy, proto)
            self.assertIn(copy.partner_id, self.lessees)
            self.assertEqual(
                copy.read(CONTRACT_FIELDS)[0] | {"id": None}, proto.read(CONTRACT_FIELDS)[0] | {"id": None}
            )
            self.assertEqual(
                copy.schedule_line_ids.sorted("sequence").read(LINE_FIELDS),
                [
                    row | {"id": copy_line.id}
                    for row, copy_line in zip(
                        proto.schedule_line_ids.sorted("sequence").read(LINE_FIELDS),
                        copy.schedule_line_ids.sorted("sequence"),
                        strict=True,
                    )
                ],
            )
            self.assertEqual(self._ledger(copy), self._ledger(proto))
            # Every document of the copy is the copy's: its lease, lines and lessee.
            invoices = self._invoices(copy)
            self.assertEqual(len(invoices), len(self._invoices(proto)))
            self.assertEqual(set(invoices.mapped("leasing_contract_id")), {copy} if invoices else set())
            self.assertEqual(invoices.leasing_schedule_line_id.contract_id, copy if invoices else copy.browse())
            self.assertEqual(set(invoices.line_ids.partner_id), {copy.partner_id} if invoices else set())
            payments = invoices.line_ids.matched_credit_ids.credit_move_id
            self.assertEqual(set(payments.partner_id), {copy.partner_id} if payments else set())
            self.assertEqual(set(payments.move_id.origin_payment_id.partner_id), set(payments.partner_id))
            self.assertFalse(set(invoices.mapped("name")) & set(self._invoices(proto).mapped("name")))
        paid_late = self.copies[4]
        self.assertTrue(any(line.state == "paid" for line in paid_late.schedule_line_ids))

    def test_the_orm_recomputes_the_same_figures(self):
        """The stored figures written by SQL are those the ORM computes from the copied rows."""
        Line, Move, Item = self.env["leasing.schedule.line"], self.env["account.move"], self.env["account.move.line"]
        lines = self.copies.schedule_line_ids
        invoices = lines.invoice_id
        items = invoices.line_ids | invoices.line_ids.matched_credit_ids.credit_move_id
        before = (lines.read(LINE_FIELDS), invoices.read(MOVE_FIELDS), items.read(ITEM_FIELDS))
        with freeze_time(close_data.CLOSE_DATE):
            self.env.add_to_compute(Line._fields["state"], lines)
            self.env.add_to_compute(Move._fields["amount_residual"], invoices)
            self.env.add_to_compute(Move._fields["payment_state"], invoices)
            self.env.add_to_compute(Item._fields["amount_residual"], items)
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual((lines.read(LINE_FIELDS), invoices.read(MOVE_FIELDS), items.read(ITEM_FIELDS)), before)

    def test_the_close_and_the_sql_pass_agree_on_copies(self):
        company = self.prototypes.company_id
        with freeze_time(close_data.CLOSE_DATE):
            run = self.env["leasing.close.run"]._create_manual(company, close_data.CLOSE_DATE)._run_all(50)
        self.assertEqual(run.state, "done")
        self.env.invalidate_all()
        for proto, copy in self._pairs():
            self.assertEqual(self._close_figures(copy), self._close_figures(proto))
        # The sample is in arrears in every way the bench has: overdue, partly paid, penalised.
        behind = self.copies[1:]
        self.assertTrue(all(behind.mapped("days_past_due")))
        self.assertTrue(all(behind.mapped("penalty_accrued")))
        self.assertFalse(self.copies[0].days_past_due)
        self.assertTrue(any(line.amount_paid and line.days_past_due for line in behind.schedule_line_ids))
        # The bench's SQL pass finds the close's figures, on these leases and on every other.
        close_data.sql_pass(self.env.cr, close_data.CLOSE_DATE)
        self.env.cr.execute(
            "SELECT count(*) FROM bench_sql_lines WHERE penalty > 0 AND contract_id IN %s", [tuple(self.copies.ids)]
        )
        self.assertGreater(self.env.cr.fetchone()[0], 4)
        self.assertEqual(close_data.mismatches(self.env.cr), (0, 0))
