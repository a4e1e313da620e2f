from contextlib import contextmanager

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon

TODAY = "2026-06-15"


@tagged("post_install", "-at_install")
class TestLegalAction(CollectionsCommon):
    """The legal stage: a case goes to court with a legal file, whose legal costs are billed to
    the lessee once per amount. Figures by hand: no taxes on the legal costs invoices."""

    USER_PREFIX = "legal"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.manager = new_test_user(cls.env, "legal_manager", groups=COLLECTION_MANAGER, **company)
        cls.collector = new_test_user(cls.env, "legal_collector", groups=COLLECTOR, **company)
        cls.other_collector = new_test_user(cls.env, "legal_other_collector", groups=COLLECTOR, **company)
        cls.leader = new_test_user(cls.env, "legal_leader", groups=COLLECTOR, **company)
        cls.team = cls.env["leasing.collection.team"].create(
            {"name": "Court Team", "company_id": cls.company.id, "leader_id": cls.leader.id}
        )
        cls.lawyer = cls.env["res.partner"].create({"name": "Bufete Ortega Abogados", "is_company": True})
        cls.stages = {stage.stage_key: stage for stage in cls.env["leasing.collection.stage"].search([])}

    @contextmanager
    def _refused(self, exception, pattern):
        """``assertRaises`` (which rolls back what the refused call wrote), and the message."""
        with self.assertRaises(exception) as catcher:
            yield
        self.assertRegex(str(catcher.exception), pattern)

    def _case(self):
        """A case on a new lease to ``lessee``, worked by ``collector`` of ``team``, with the
        figures of a close: 3,400.22 overdue and 12.50 of penalty due."""
        contract = self._lease()
        # As the close and the dispatch set them.
        case_sudo = (
            self.env["leasing.collection.case"]
            .sudo()
            .create(
                {
                    "name": f"CASE/{contract.name}",
                    "contract_id": contract.id,
                    "collector_id": self.collector.id,
                    "team_id": self.team.id,
                    "stage_id": self.stages["contacted"].id,
                    "amount_overdue": 3400.22,
                    "penalty_due": 12.50,
                }
            )
        )
        return case_sudo.sudo(False)

    def _legal_file(self, case=None, **values):
        """The legal file of ``case`` (a new case by default), opened by the manager, filed."""
        case = case or self._case()
        action = case.with_user(self.manager).action_open_legal_file()
        legal_file = self.env["leasing.legal.action"].with_user(self.manager).browse(action["res_id"])
        legal_file.write(
            {
                "lawyer_id": self.lawyer.id,
                "court": "Juzgado de Primera Instancia n.º 4 de Madrid",
                "court_case_number": "412/2026",
                "filing_date": "2026-05-04",
                **values,
            }
        )
        legal_file.action_file()
        # Read as the test's user: the manager does not read the ledger.
        return legal_file.with_user(self.env.user)

    # ------------------------------------------------------------------
    # The case goes to court
    # ------------------------------------------------------------------
    def test_open_legal_file_moves_the_case_to_legal(self):
        case = self._case()
        action = case.with_user(self.manager).action_open_legal_file()
        legal_file = self.env["leasing.legal.action"].browse(action["res_id"])
        self.assertEqual(case.stage_id, self.stages["legal"])
        self.assertRecordValues(
            legal_file,
            [
                {
                    "case_id": case.id,
                    "contract_id": case.contract_id.id,
                    "partner_id": self.lessee.id,
                    "company_id": self.company.id,
                    "state": "draft",
                    # What the lease owes by its last close: 3,400.22 + 12.50.
                    "claimed_amount": 3412.72,
                    "legal_costs_billed": 0.0,
                }
            ],
        )
        self.assertTrue(legal_file.name.startswith("LEGAL/"))
        self.assertEqual(case.legal_action_count, 1)
        # Again: the open file is the case's, no second one.
        again = case.with_user(self.manager).action_open_legal_file()
        self.assertEqual(again["res_id"], legal_file.id)
        self.assertEqual(case.legal_action_count, 1)
        smart = case.action_view_legal_actions()
        self.assertEqual(smart["res_id"], legal_file.id)

    def test_legal_stage_needs_a_legal_file(self):
        case = self._case()
        with self._refused(ValidationError, "legal file"):
            case.with_user(self.manager).stage_id = self.stages["legal"]
        case.invalidate_recordset()
        self.assertEqual(case.stage_id, self.stages["contacted"])
        # Collectors do not take cases to court, nor create legal files.
        with self.assertRaises(AccessError):
            case.with_user(self.collector).action_open_legal_file()
        with self.assertRaises(AccessError):
            self.env["leasing.legal.action"].with_user(self.collector).create({"court": "Juzgado"})
        # Nor is the file's case set by hand.
        with self.assertRaises(AccessError):
            self.env["leasing.legal.action"].with_user(self.manager).create({"case_id": case.id})
        self.assertEqual(case.legal_action_count, 0)

    def test_closed_case_does_not_go_to_court(self):
        case = self._case()
        case.stage_id = self.stages["resolved"]
        with self._refused(UserError, "closed"):
            case.with_user(self.manager).action_open_legal_file()
        self.assertFalse(self.env["leasing.legal.action"].search([("case_id", "=", case.id)]))

    # ------------------------------------------------------------------
    # Legal costs billed to the lessee
    # ------------------------------------------------------------------
    def test_legal_cost_account_created_for_the_company(self):
        account = self.company.leasing_legal_cost_account_id
        self.assertTrue(account)
        self.assertEqual(account.account_type, "income_other")
        self.assertTrue(account.code.startswith("449"))
        self.assertEqual(account.company_ids, self.company)

    @freeze_time(TODAY)
    def test_bill_legal_costs_once_then_the_difference(self):
        legal_file = self._legal_file(legal_costs=1250.0)
        account = self.company.leasing_legal_cost_account_id
        receivable = self.lessee.property_account_receivable_id

        def bill():
            return legal_file.with_user(self.manager).action_bill_legal_costs()

        bill()
        first = legal_file.invoice_ids
        self.assertEqual(len(first), 1)
        self.assertRecordValues(
            first,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.lessee.id,
                    "leasing_contract_id": legal_file.contract_id.id,
                    "leasing_move_kind": "legal_costs",
                    "amount_untaxed": 1250.0,
                    "amount_tax": 0.0,
                    "amount_total": 1250.0,
                    "amount_residual": 1250.0,
                }
            ],
        )
        self.assertEqual(str(first.invoice_date), TODAY)
        self.assertRecordValues(
            first.line_ids.sorted("balance"),
            [
                {"account_id": account.id, "debit": 0.0, "credit": 1250.0},
                {"account_id": receivable.id, "debit": 1250.0, "credit": 0.0},
            ],
        )
        self.assertRecordValues(legal_file, [{"legal_costs_billed": 1250.0, "legal_costs_to_bill": 0.0}])

        # Never twice: nothing left to bill is refused, and no invoice is made.
        with self._refused(UserError, "Nothing to bill"):
            bill()
        self.assertEqual(legal_file.invoice_ids, first)

        # The costs grow by 350.00 (the lawyer's appeal fee): only the difference is billed.
        legal_file.legal_costs = 1600.0
        self.assertEqual(legal_file.legal_costs_to_bill, 350.0)
        bill()
        second = legal_file.invoice_ids - first
        self.assertRecordValues(second, [{"state": "posted", "amount_untaxed": 350.0, "amount_total": 350.0}])
        self.assertRecordValues(
            second.line_ids.sorted("balance"),
            [
                {"account_id": account.id, "debit": 0.0, "credit": 350.0},
                {"account_id": receivable.id, "debit": 350.0, "credit": 0.0},
            ],
        )
        self.assertRecordValues(legal_file, [{"legal_costs_billed": 1600.0, "legal_costs_to_bill": 0.0}])
        # The ledger holds 1,600.00 of legal costs recovered for the lease.
        income = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted"), ("move_id", "in", (first | second).ids)]
        )
        self.assertEqual(sum(income.mapped("credit")), 1600.0)

        # The costs cannot go below what is billed...
        with self._refused(ValidationError, "already billed"):
            legal_file.legal_costs = 1000.0
        # ...until a credit note takes the 350.00 back: then it may be billed again.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=second.ids)
            .create({"journal_id": second.journal_id.id, "reason": "appeal fee billed in error"})
        )
        reversal.refund_moves()
        credit_note = second.reversal_move_ids
        credit_note.action_post()
        self.assertEqual(credit_note.leasing_legal_action_id, legal_file)
        self.assertRecordValues(legal_file, [{"legal_costs_billed": 1250.0, "legal_costs_to_bill": 350.0}])
        bill()
        third = legal_file.invoice_ids.filtered(lambda m: m.move_type == "out_invoice") - first - second
        self.assertRecordValues(third, [{"state": "posted", "amount_total": 350.0}])
        self.assertEqual(legal_file.legal_costs_billed, 1600.0)

    @freeze_time(TODAY)
    def test_billing_refusals(self):
        case = self._case()
        legal_file = self.env["leasing.legal.action"].browse(
            case.with_user(self.manager).action_open_legal_file()["res_id"]
        )
        legal_file.legal_costs = 500.0
        # A claim not filed yet is not billed.
        with self._refused(UserError, "not filed"):
            legal_file.with_user(self.manager).action_bill_legal_costs()
        legal_file.write({"court": "Juzgado n.º 4", "filing_date": "2026-05-04"})
        legal_file.with_user(self.manager).action_file()
        # A collector does not bill.
        with self.assertRaises(AccessError):
            legal_file.with_user(self.collector).action_bill_legal_costs()
        # Without the legal costs recovered account, nothing is billed.
        account = self.company.leasing_legal_cost_account_id
        self.company.leasing_legal_cost_account_id = False
        with self._refused(UserError, "legal costs recovered account"):
            legal_file.with_user(self.manager).action_bill_legal_costs()
        self.assertFalse(legal_file.invoice_ids)
        self.company.leasing_legal_cost_account_id = account
        # Nobody writes the amount billed by hand.
        with self.assertRaises(AccessError):
            legal_file.with_user(self.manager).write({"legal_costs_billed": 500.0})
        with self.assertRaises(AccessError):
            legal_file.with_user(self.manager).write({"state": "closed"})
        legal_file.with_user(self.manager).action_bill_legal_costs()
        self.assertEqual(legal_file.invoice_ids.amount_total, 500.0)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_refusals(self):
        legal_file = self._legal_file()
        for field in ("claimed_amount", "awarded_amount", "legal_costs"):
            with self.subTest(field=field), self._refused(ValidationError, "negative"):
                legal_file.write({field: -1.0, "judgement_date": "2026-06-01"})
        with self._refused(ValidationError, "judgement date"):
            legal_file.awarded_amount = 3000.0
        with self._refused(ValidationError, "cannot come before the filing"):
            legal_file.judgement_date = "2026-05-01"
        with self._refused(ValidationError, "future"):
            legal_file.judgement_date = "2026-06-16"
        with self._refused(UserError, "judgement date"):
            legal_file.action_judgement()
        self.assertEqual(legal_file.state, "filed")
        with self._refused(UserError, "already filed"):
            legal_file.action_file()
        with self._refused(UserError, "Only a closed legal file"):
            legal_file.action_reopen()

        draft = self.env["leasing.legal.action"].browse(
            self._case().with_user(self.manager).action_open_legal_file()["res_id"]
        )
        with self._refused(UserError, "court and the filing date"):
            draft.with_user(self.manager).action_file()
        with self._refused(ValidationError, "future"):
            draft.filing_date = "2026-06-16"
        self.assertEqual(draft.state, "draft")

    @freeze_time(TODAY)
    def test_life_cycle_to_judgement(self):
        legal_file = self._legal_file(claimed_amount=3412.72)
        legal_file.action_in_court()
        self.assertEqual(legal_file.state, "in_court")
        legal_file.write({"judgement_date": "2026-06-10", "awarded_amount": 3100.0})
        legal_file.action_judgement()
        legal_file.action_close()
        self.assertRecordValues(legal_file, [{"state": "closed", "awarded_amount": 3100.0, "claimed_amount": 3412.72}])
        legal_file.action_reopen()
        self.assertEqual(legal_file.state, "judgement")
        # Collectors follow the file, they do not move it.
        with self.assertRaises(AccessError):
            legal_file.with_user(self.collector).action_close()

    @freeze_time(TODAY)
    def test_hearings_are_activities_on_the_calendar(self):
        legal_file = self._legal_file()
        hearing_type = self.env.ref("leasing_collections.mail_activity_type_hearing")
        schedule = legal_file.action_schedule_hearing()
        wizard = (
            self.env[schedule["res_model"]]
            .with_user(self.manager)
            .with_context(schedule["context"])
            .create({"date_deadline": "2026-07-09", "summary": "Preliminary hearing"})
        )
        self.assertEqual(wizard.activity_type_id, hearing_type)
        wizard.action_schedule_activities()
        hearing = legal_file.activity_ids
        self.assertEqual(hearing.activity_type_id, hearing_type)
        self.assertEqual(str(legal_file.next_hearing_date), "2026-07-09")
        calendar = self.env.ref("leasing_collections.action_leasing_hearing")
        self.assertEqual(
            self.env["mail.activity"].search(safe_eval(calendar.domain) + [("id", "=", hearing.id)]), hearing
        )

    # ------------------------------------------------------------------
    # Security
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_collectors_read_the_files_of_their_cases_only(self):
        legal_file = self._legal_file(legal_costs=200.0)
        LegalAction = self.env["leasing.legal.action"]
        self.assertIn(legal_file, LegalAction.with_user(self.collector).search([]))
        self.assertIn(legal_file, LegalAction.with_user(self.leader).search([]))
        self.assertNotIn(legal_file, LegalAction.with_user(self.other_collector).search([]))
        with self.assertRaises(AccessError):
            legal_file.with_user(self.other_collector).read(["court"])
        # Read-only for the collector of the case.
        self.assertEqual(legal_file.with_user(self.collector).court, legal_file.court)
        with self.assertRaises(AccessError):
            legal_file.with_user(self.collector).write({"court": "Juzgado n.º 9"})
        with self.assertRaises(AccessError):
            legal_file.with_user(self.collector).unlink()
        # The manager sees every file of the company, and none of another company's.
        self.assertIn(legal_file, LegalAction.with_user(self.manager).search([]))
        other_company = self.env["res.company"].create({"name": "Leasing Norte"})
        outsider = new_test_user(
            self.env,
            "legal_outsider",
            groups=COLLECTION_MANAGER,
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertNotIn(legal_file, LegalAction.with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            legal_file.with_user(outsider).read(["court"])
