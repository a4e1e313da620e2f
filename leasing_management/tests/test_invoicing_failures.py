from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_ledger import LEASING_MANAGER, LeasingLedgerCommon

FAILURE_ACTIVITY = "leasing_management.mail_activity_type_invoicing_failure"
CONTRACT_LOGGER = "odoo.addons.leasing_management.models.leasing_contract"


@tagged("post_install", "-at_install")
class TestInvoicingFailures(LeasingLedgerCommon):
    """A lease document needs only the plan settings it posts to, and one lease that cannot be
    invoiced does not stop the daily invoicing of the others.

    Leases of 1,000.00 less a 10 % down payment: 900.00 financed at 12 % a year, 3 monthly
    instalments in arrears from 2026-01-31, a deposit of 5 % (50.00). The first instalment, due
    2026-02-28, is 297.02 of principal and 9.00 of interest (900 x 0.01): 306.02. On 2026-02-20,
    with the 10-day horizon, it is the only one to invoice.
    """

    USER_PREFIX = "invfail"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls._create_plan(min_down_payment_pct=10.0, deposit_pct=5.0)
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Constructora Andina", "is_company": True})
        cls.managers = cls.env.ref(LEASING_MANAGER).users

    def _activate_on(self, plan):
        return self._activate_contract(self._lease_vals(plan_id=plan.id), at="2026-01-31")

    def _plan_copy(self, name):
        return self.plan.copy({"name": name})

    def _failure_activities(self, contracts):
        return contracts.activity_search([FAILURE_ACTIVITY])

    def _run_once(self, batch_size=200):
        """One call of the daily invoicing as the cron runner makes it; return its invoices and
        the progress it reported."""
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
        moves = (
            self.env["leasing.schedule.line"]
            .with_context(ir_cron_progress_id=progress.id)
            ._cron_invoice_due_lines(batch_size=batch_size)
        )
        return moves, (progress.done, progress.remaining)

    @property
    def cron(self):
        return self.env.ref("leasing_management.ir_cron_invoice_due_lines")

    # ------------------------------------------------------------------
    def test_instalments_need_no_deposits_account(self):
        """The issue's plan: no deposits-held account. Instalment invoices do not use it."""
        no_deposit = self._plan_copy("No deposit")
        # A lease without deposit: activation needs no deposits account either.
        no_deposit.deposit_pct = 0.0
        no_deposit.deposit_account_id = False
        without_deposit = self._activate_on(no_deposit)
        self.assertEqual(without_deposit.state, "active")
        # A lease that took its deposit before its plan lost the account.
        with_deposit = self._activate_on(self.plan)
        self.assertEqual(with_deposit.deposit_held, 50.0)
        self.plan.deposit_account_id = False
        with freeze_time("2026-02-20"):
            moves = self._run_invoicing_cron()
        self.assertEqual(moves.leasing_contract_id, with_deposit | without_deposit)
        self.assertEqual(moves.mapped("amount_total"), [306.02, 306.02])
        self.assertFalse((with_deposit | without_deposit).filtered("invoicing_error"))

    def test_each_document_needs_only_the_settings_it_posts_to(self):
        contract = self._activate_on(self.plan)
        self.plan.deposit_account_id = False
        self.plan.interest_account_id = False

        def error(document, **figures):
            return contract._accounting_setup_error([document], figures=figures or None)

        # An instalment with interest needs the interest account; a residual value (no interest)
        # does not. Neither needs the deposits account.
        self.assertIn("Interest Income Account", error("installment", interest=9.0))
        self.assertNotIn("Deposits Held Account", error("installment", interest=9.0))
        self.assertEqual(error("installment", interest=0.0), "")
        # A prepayment needs the interest account only for the interest its principal accrued.
        self.assertEqual(error("prepayment", interest=0.0), "")
        self.assertIn("Interest Income Account", error("prepayment", interest=443.84))
        self.assertEqual(error("discontinue"), "")
        self.assertEqual(error("commencement"), "")
        self.assertIn("Deposits Held Account", error("deposit_refund"))
        self.assertIn("Deposits Held Account", error("upfront"))
        # A payoff needs the interest account only for accrued interest, the deposits account
        # only for a deposit held.
        payoff = {"principal": 602.98, "fee": 0.0}
        self.assertEqual(error("payoff", **payoff, interest=0.0, deposit_held=0.0), "")
        message = error("payoff", **payoff, interest=3.0, deposit_held=50.0)
        self.assertEqual(
            message,
            f"{contract.name} cannot post its Early Payoff Invoice: its financing plan Equipment 3 months lacks "
            "Interest Income Account, Deposits Held Account. Set them on the plan (Accounting tab) or in the "
            "Leasing settings.",
        )
        with self.assertRaisesRegex(UserError, "Interest Income Account"):
            contract._check_accounting_setup("installment")
        # Naming no document checks them all, as strictly as before they were told apart.
        with self.assertRaisesRegex(UserError, "lacks Deposits Held Account, Interest Income Account"):
            contract._check_accounting_setup()

    def test_a_lease_that_cannot_be_invoiced_is_skipped_and_reported(self):
        broken_plan = self._plan_copy("Broken")
        # Created first: its line comes first in the run's order (due date, then id).
        broken = self._activate_on(broken_plan)
        first, second, third = (self._activate_on(self.plan) for _i in range(3))
        broken_plan.interest_account_id = False
        line_of = {c: c.schedule_line_ids.filtered(lambda line: line.sequence == 1) for c in (broken, first, second)}

        with freeze_time("2026-02-20"):
            with self.assertLogs(CONTRACT_LOGGER, "WARNING") as logs:
                moves, progress = self._run_once(batch_size=2)
            # The batch of two held the broken lease and the first: the first is invoiced, and
            # two lines remain (the broken lease's is not one of them).
            self.assertEqual(moves.leasing_contract_id, first)
            self.assertEqual(progress, (1, 2))
            self.assertEqual(len(logs.records), 1)
            self.assertIn(broken.name, logs.output[0])
            self.assertIn("Interest Income Account", logs.output[0])
            moves, progress = self._run_once(batch_size=2)
            self.assertEqual(moves.leasing_contract_id, second | third)
            self.assertEqual(progress, (2, 0))
            self.assertEqual(line_of[second].invoice_id.amount_total, 306.02)

            self.assertFalse(line_of[broken].invoice_id)
            self.assertRecordValues(broken, [{"invoicing_error_date": date(2026, 2, 20)}])
            self.assertIn("Interest Income Account", broken.invoicing_error)
            self.assertIn(broken_plan.display_name, broken.invoicing_error)
            self.assertFalse((first | second | third).filtered("invoicing_error_date"))
            activity = self._failure_activities(broken)
            self.assertEqual(len(activity), 1)
            self.assertIn(activity.user_id, self.managers)
            self.assertIn(self.company, activity.user_id.company_ids)
            self.assertIn("Interest Income Account", activity.note)

            # Again the same day: the broken lease is not tried again, nothing is left to do.
            with self.assertNoLogs(CONTRACT_LOGGER, "WARNING"):
                moves, progress = self._run_once(batch_size=2)
            self.assertFalse(moves)
            self.assertEqual(progress, (0, 0))

        with freeze_time("2026-02-21"):
            # The next day it is tried again, fails again: one activity still, the failure re-dated.
            with self.assertLogs(CONTRACT_LOGGER, "WARNING"):
                moves, progress = self._run_once(batch_size=2)
            self.assertFalse(moves)
            self.assertEqual(progress, (0, 0))
            self.assertEqual(broken.invoicing_error_date, date(2026, 2, 21))
            self.assertEqual(self._failure_activities(broken), activity)

        broken_plan.interest_account_id = self.plan.interest_account_id
        with freeze_time("2026-02-22"):
            moves = self._run_invoicing_cron()
        self.assertEqual(moves, line_of[broken].invoice_id)
        self.assertEqual(moves.amount_total, 306.02)
        self.assertRecordValues(broken, [{"invoicing_error": False, "invoicing_error_date": False}])
        self.assertFalse(self._failure_activities(broken))

    def test_the_button_still_refuses_then_clears_the_failure(self):
        broken_plan = self._plan_copy("Broken")
        broken = self._activate_on(broken_plan)
        broken_plan.interest_account_id = False
        with freeze_time("2026-02-20"), self.assertLogs(CONTRACT_LOGGER, "WARNING"):
            self.assertFalse(self._run_invoicing_cron())
        self.assertTrue(broken.invoicing_error)
        with freeze_time("2026-02-20"), self.assertRaisesRegex(UserError, "lacks Interest Income Account"):
            broken.action_invoice_due()
        broken_plan.interest_account_id = self.plan.interest_account_id
        with freeze_time("2026-02-20"):
            broken.action_invoice_due()
        self.assertEqual(broken.schedule_line_ids[0].state, "invoiced")
        self.assertFalse(broken.invoicing_error)
        self.assertFalse(self._failure_activities(broken))

    def test_an_unexpected_failure_skips_only_its_lease(self):
        """A failure the plan's settings do not show (here a deprecated account, refused when
        the invoice is created) rolls the batch back; each lease is then invoiced on its own,
        and only the culprit is skipped."""
        interest_account = self.plan.interest_account_id.copy({"code": "LSINT2", "name": "Interest, old"})
        old_plan = self._plan_copy("Old accounts")
        old_plan.interest_account_id = interest_account
        first = self._activate_on(self.plan)
        culprit = self._activate_on(old_plan)
        last = self._activate_on(self.plan)
        interest_account.deprecated = True
        with freeze_time("2026-02-20"), self.assertLogs(CONTRACT_LOGGER, "WARNING"):
            moves, progress = self._run_once()
        self.assertEqual(moves.leasing_contract_id, first | last)
        self.assertEqual(progress, (2, 0))
        self.assertEqual(culprit.invoicing_error, "The account Interest, old (LSINT2) is deprecated.")
        self.assertEqual(len(self._failure_activities(culprit)), 1)
        self.assertFalse(culprit.schedule_line_ids.invoice_id)
