from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestDiscontinueQuantity(LeasingLedgerCommon):
    """Part of a line returned: one forklift of two.

    Two forklifts at 2,000.00 (one line) and a truck at 6,000.00: 10,000.00 financed, nothing
    down, residual value 10 % = 1,000.00, 0 % a year (so the figures are plain), 4 monthly
    instalments in arrears from 2026-01-31: (10,000 - 1,000) / 4 = 2,250.00 each, then the
    residual of 1,000.00.

    One forklift comes back on 2026-02-15, before instalment 1 falls due: its share is its price
    over the price of the items still leased, 2,000 / 10,000 = 20 %, of the 10,000.00 of
    principal owed: 2,000.00; the residual loses 20 % too: 1,000 - 200 = 800.00. The 8,000.00 left
    over the same 4 instalments: (8,000 - 800) / 4 = 1,800.00 each, then the residual of 800.00.
    """

    USER_PREFIX = "disc_qty"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Fleet 4 months, no interest",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 4,
                "annual_rate": 0.0,
                "residual_pct": 10.0,
            }
        )
        cls.forklift = cls.env["product.product"].create({"name": "Forklift", "lst_price": 2000.0, "leasing_ok": True})
        cls.truck = cls.env["product.product"].create({"name": "Truck", "lst_price": 6000.0, "leasing_ok": True})
        cls.excavator = cls.truck  # the default item of _lease_vals, replaced by line_ids here
        cls.lessee = cls.env["res.partner"].create({"name": "Almacenes del Sur", "is_company": True})

    def _activate(self):
        vals = self._lease_vals(
            line_ids=[
                Command.create({"product_id": self.forklift.id, "quantity": 2.0}),
                Command.create({"product_id": self.truck.id}),
            ],
            deposit=300.0,  # set by hand: not the plan's percentage (none)
        )
        return self._activate_contract(vals, at="2026-01-31")

    def _wizard(self, item, **values):
        action = item.action_open_discontinue_wizard()
        form = Form(self.env["leasing.discontinue.wizard"].with_context(action["context"]))
        form.date = date(2026, 2, 15)
        form.reason = "Returned: one forklift too many"
        for name, value in values.items():
            setattr(form, name, value)
        return form

    @freeze_time("2026-02-15")
    def test_one_forklift_of_two(self):
        contract = self._activate()
        self.assertEqual((contract.financed_amount, contract.residual_value), (10000.0, 1000.0))
        self.assertEqual(contract.schedule_line_ids.sorted("sequence")[:1].amount, 2250.0)
        forklifts = contract.line_ids.filtered(lambda line: line.product_id == self.forklift)

        form = self._wizard(forklifts)
        self.assertEqual(form.quantity, 2.0, "the whole line by default")
        self.assertEqual(form.share, 4000.0)  # both forklifts: 4,000 / 10,000
        form.quantity = 1.0
        self.assertFalse(form.preview_error)
        self.assertEqual((form.amount_owed, form.share), (10000.0, 2000.0))
        self.assertEqual((form.current_installment, form.new_installment), (2250.0, 1800.0))
        form.save().action_confirm()

        returned = {"discontinued_date": date(2026, 2, 15), "discontinue_reason": "Returned: one forklift too many"}
        still = {"discontinued": False, "discontinued_date": False, "discontinue_reason": False}
        self.assertRecordValues(
            contract.line_ids.sorted(lambda line: (line.product_id.name, line.discontinued)),
            [
                {"product_id": self.forklift.id, "quantity": 1.0, "price_subtotal": 2000.0, **still},
                {
                    "product_id": self.forklift.id,
                    "quantity": 1.0,
                    "price_subtotal": 2000.0,
                    "discontinued": True,
                    **returned,
                },
                {"product_id": self.truck.id, "quantity": 1.0, "price_subtotal": 6000.0, **still},
            ],
        )
        fields = ("sequence", "line_type", "principal", "amount", "balance")
        self.assertRecordValues(
            contract.schedule_line_ids.sorted("sequence"),
            [
                dict(zip(fields, row))
                for row in (
                    (1, "installment", 1800.0, 1800.0, 6200.0),
                    (2, "installment", 1800.0, 1800.0, 4400.0),
                    (3, "installment", 1800.0, 1800.0, 2600.0),
                    (4, "installment", 1800.0, 1800.0, 800.0),
                    (5, "residual", 800.0, 800.0, 0.0),
                )
            ],
        )
        # The split changes no amount of the contract but the residual value rescheduled.
        self.assertEqual((contract.residual_value, contract.deposit, contract.items_total), (800.0, 300.0, 10000.0))
        entry = contract.move_ids.filtered(lambda move: move.leasing_move_kind == "discontinue")
        self.assertRecordValues(
            entry.line_ids.sorted("debit", reverse=True),
            [
                {"account_id": self.plan.clearing_account_id.id, "debit": 2000.0, "credit": 0.0},
                {"account_id": self.plan.receivable_account_id.id, "debit": 0.0, "credit": 2000.0},
            ],
        )
        self.assertIn("1.00 of 2.00 x Forklift", contract.message_ids[0].body)

        # The forklift still leased is now the whole of its line: 2,000 / 8,000 of what is owed.
        kept = contract.line_ids.filtered(lambda line: line.product_id == self.forklift and not line.discontinued)
        form = self._wizard(kept)
        self.assertEqual((form.quantity, form.amount_owed, form.share), (1.0, 8000.0, 2000.0))

    @freeze_time("2026-02-15")
    def test_quantity_bounds(self):
        contract = self._activate()
        forklifts = contract.line_ids.filtered(lambda line: line.product_id == self.forklift)
        for quantity in (0.0, -1.0, 3.0):
            with self.subTest(quantity=quantity):
                form = self._wizard(forklifts, quantity=quantity)
                self.assertIn("at most 2.00", form.preview_error)
                with self.assertRaisesRegex(UserError, "at most 2.00"):
                    form.save().action_confirm()
        self.assertEqual(forklifts.quantity, 2.0)
        self.assertFalse(contract.line_ids.filtered("discontinued"))
        # Both forklifts back: the truck, all of the last line leased, ends the lease (payoff).
        truck = contract.line_ids - forklifts
        self._wizard(forklifts).save().action_confirm()
        self.assertIn("last item", self._wizard(truck).preview_error)
