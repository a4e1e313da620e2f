from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon


@tagged("post_install", "-at_install")
class TestCollectionCase(CollectionsCommon):
    """The life of a collection case: opened by the close at the company's threshold, its
    figures copied from the lease, resolved when the lease is current again; opened by hand;
    dispatched; read by the collectors it belongs to.

    The hand-worked lease of ``CollectionsCommon`` with the penalty billed on the 28th: on
    2026-03-10 instalment 1 (3,400.22, due Feb 28) is 10 days past due, bucket 1-30; its penalty
    runs from March 1 (3 grace days, paid after them): 10 x 3,400.22 x 0.0005 = 17.0011 -> 17.00,
    not billed yet (the last billing day, Feb 28, is not after its due date)."""

    USER_PREFIX = "case"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.penalty_billing_day = 28
        cls.Case = cls.env["leasing.collection.case"]
        cls.stage_new = cls.env.ref("leasing_collections.stage_new")
        cls.stage_assigned = cls.env.ref("leasing_collections.stage_assigned")
        cls.stage_resolved = cls.env.ref("leasing_collections.stage_resolved")
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(cls.env, "case_manager", groups=COLLECTION_MANAGER, **company)
        cls.ana = new_test_user(cls.env, "case_ana", groups=COLLECTOR, **company)
        cls.ben = new_test_user(cls.env, "case_ben", groups=COLLECTOR, **company)
        cls.leader = new_test_user(cls.env, "case_leader", groups=COLLECTOR, **company)
        cls.team = cls.env["leasing.collection.team"].create(
            {
                "name": "North",
                "company_id": cls.company.id,
                "leader_id": cls.leader.id,
                "member_ids": [Command.set((cls.ana | cls.ben).ids)],
            }
        )

    def _with_tracking(self):
        """The chatter's tracking, which the test classes turn off by default."""
        self.env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))

    def _cases(self, contracts):
        return self.Case.search([("contract_id", "in", contracts.ids)], order="id")

    def _behind(self, **values):
        """The hand-worked lease with instalment 1 invoiced and unpaid."""
        contract = self._lease(**values)
        self._invoice("2026-03-05")
        return contract

    def _dispatch(self, cases, user=None, **values):
        wizard = (
            self.env["leasing.collection.dispatch"]
            .with_user(user or self.manager)
            .with_context(active_model=self.Case._name, active_ids=cases.ids)
            .create(values)
        )
        return wizard.action_dispatch()

    def _open_cases(self, contracts, amounts):
        """Open a case on each of ``contracts`` with the amount overdue of ``amounts`` (the
        close's figure, set here as the close would)."""
        cases = self.Case._open_for_contracts(contracts, date(2026, 3, 10))
        for case, amount in zip(cases.sorted("id"), amounts, strict=True):
            case.sudo().amount_overdue = amount
        return cases.sorted("id")

    # ------------------------------------------------------------------
    # The close opens, updates and resolves
    # ------------------------------------------------------------------
    def test_close_opens_a_case_at_the_threshold_with_the_leases_figures(self):
        self.company.leasing_case_threshold_days = 10
        contract = self._behind()
        self._close("2026-03-09")
        self.assertEqual(contract.days_past_due, 9)
        self.assertFalse(self._cases(contract), "9 days past due: below the threshold of 10")
        self._close("2026-03-10")
        case = self._cases(contract)
        self.assertRecordValues(
            case,
            [
                {
                    "stage_id": self.stage_new.id,
                    "opened_date": date(2026, 3, 10),
                    "closed_date": False,
                    "is_closed": False,
                    "partner_id": self.lessee.id,
                    "company_id": self.company.id,
                    "days_past_due": 10,
                    "aging_bucket_id": self.b1_30.id,
                    "amount_overdue": 3400.22,
                    "penalty_due": 17.00,
                    "collector_id": False,
                }
            ],
        )
        self.assertEqual((contract.amount_in_arrears, contract.penalty_due), (3400.22, 17.00))
        self.assertTrue(case.name.startswith("CASE/"))

    def test_default_threshold_opens_on_the_first_day_past_due(self):
        self.assertEqual(self.company.leasing_case_threshold_days, 1)
        contract = self._behind()
        self._close("2026-02-28")
        self.assertFalse(self._cases(contract), "due today: not past due")
        self._close("2026-03-01")
        self.assertRecordValues(self._cases(contract), [{"days_past_due": 1, "amount_overdue": 3400.22}])

    def test_one_case_whatever_the_number_of_closes(self):
        contract = self._behind()
        run = self._close("2026-03-10")
        case = self._cases(contract)
        self.assertEqual(len(case), 1)
        # The same close step again (a second server, a retried chunk): nothing new.
        contract._collections_update_cases(run)
        contract._collections_update_cases(run)
        self.assertEqual(self._cases(contract), case)
        # And the next days' closes keep the case, with the new figures: March 20, 20 days x
        # 3,400.22 x 0.0005 = 34.0022 -> 34.00.
        self._close("2026-03-20")
        self.assertEqual(self._cases(contract), case)
        self.assertRecordValues(case, [{"days_past_due": 20, "amount_overdue": 3400.22, "penalty_due": 34.00}])

    def test_a_case_opened_meanwhile_is_never_doubled(self):
        """Another transaction (a manager, another server) opened a case between the close's
        look-up and its insert: the unique index refuses the second, the close looks again."""
        contract = self._behind()
        other = self._behind(partner_id=self.env["res.partner"].create({"name": "Second Lessee"}).id)
        existing = self.Case._open_for_contracts(contract, date(2026, 3, 9))
        Case = type(self.Case)
        real = Case._contracts_without_open_case
        calls = []

        def stale_then_real(model, contracts):
            calls.append(contracts)
            # The first look-up is stale: it misses the case opened meanwhile.
            return contracts.ids if len(calls) == 1 else real(model, contracts)

        with patch.object(Case, "_contracts_without_open_case", stale_then_real):
            self._close("2026-03-10")
        self.assertEqual(len(calls), 2)
        self.assertEqual(self._cases(contract), existing)
        self.assertEqual(len(self._cases(other)), 1)
        self.assertEqual(existing.days_past_due, 10)

    def test_resolved_when_the_lease_is_current_then_a_new_case(self):
        self._with_tracking()
        contract = self._behind()
        self._close("2026-03-10")
        case = self._cases(contract)
        first = self._installment_invoices(contract)[0]
        self._pay(first, payment_date="2026-03-12")
        self._close("2026-03-20")
        self.assertEqual((contract.days_past_due, contract.amount_in_arrears), (0, 0.0))
        self.assertRecordValues(
            case,
            [
                {
                    "stage_id": self.stage_resolved.id,
                    "is_closed": True,
                    "closed_date": date(2026, 3, 20),
                    "days_past_due": 0,
                    "amount_overdue": 0.0,
                }
            ],
        )
        self.assertIn("Resolved", case.message_ids.tracking_value_ids.mapped("new_value_char"))
        # Instalment 2 (due March 31) left unpaid: on April 2 a new case, the old one resolved.
        self._invoice("2026-03-25")
        self._close("2026-04-02")
        cases = self._cases(contract)
        self.assertEqual(len(cases), 2)
        self.assertEqual(cases[0], case)
        self.assertRecordValues(
            cases[1], [{"stage_id": self.stage_new.id, "days_past_due": 2, "opened_date": date(2026, 4, 2)}]
        )

    def test_thresholds_are_bounded(self):
        for field in ("leasing_case_threshold_days", "leasing_long_term_overdue_days"):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.company[field] = 0
        settings = Form(self.env["res.config.settings"])
        settings.leasing_case_threshold_days = 5
        settings.leasing_long_term_overdue_days = 60
        settings.save().execute()
        self.assertEqual(
            (self.company.leasing_case_threshold_days, self.company.leasing_long_term_overdue_days), (5, 60)
        )

    # ------------------------------------------------------------------
    # By hand
    # ------------------------------------------------------------------
    def test_manager_opens_a_case_by_hand_once(self):
        contract = self._lease()
        action = contract.with_user(self.manager).action_open_collection_case()
        case = self._cases(contract)
        self.assertEqual(action["res_id"], case.id)
        self.assertRecordValues(
            case, [{"stage_id": self.stage_new.id, "days_past_due": 0, "create_uid": self.manager.id}]
        )
        self.assertIn("Opened by hand", case.message_ids[0].body)
        contract.invalidate_recordset()
        self.assertEqual((contract.collection_case_count, contract.has_open_collection_case), (1, True))
        self.assertEqual(contract.action_view_collection_cases()["domain"], [("contract_id", "=", contract.id)])
        with self.assertRaisesRegex(UserError, "already has an open collection case"):
            contract.with_user(self.manager).action_open_collection_case()
        with self.assertRaises(AccessError):
            self._lease().with_user(self.ana).action_open_collection_case()
        draft = self.env["leasing.contract"].create(self._lease_vals())
        with self.assertRaisesRegex(UserError, "lease in force"):
            draft.with_user(self.manager).action_open_collection_case()
        self.assertEqual(len(self._cases(contract)), 1)
        # A case opened by hand on a lease that is current is resolved by the next close.
        self._close("2026-02-10")
        self.assertTrue(case.is_closed)

    def test_figures_and_assignment_are_the_systems(self):
        contract = self._behind()
        self._close("2026-03-10")
        case = self._cases(contract)
        self._dispatch(case, assign_to="collector", collector_id=self.ana.id)
        for user, vals in (
            (self.ana, {"days_past_due": 0}),
            (self.ana, {"amount_overdue": 0.0}),
            (self.manager, {"penalty_due": 0.0}),
            (self.manager, {"collector_id": self.ben.id}),
            (self.ana, {"debt_term": "long"}),
            (self.env.user, {"team_id": False}),
        ):
            with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError), self.env.cr.savepoint():
                case.with_user(user).write(vals)
        with self.assertRaises(AccessError):
            self.Case.with_user(self.manager).create({"contract_id": contract.id})
        self.assertRecordValues(case, [{"days_past_due": 10, "collector_id": self.ana.id, "debt_term": "short"}])
        # What a collector changes: the stage, the priority, the next action.
        case.with_user(self.ana).write({"priority": "2", "next_action_date": "2026-03-12"})

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    def test_dispatch_by_count_counts_the_cases_already_worked(self):
        """Ana already works one open case, Ben none. Four new cases, by number: they are taken
        in order (each weighs 1): 1 -> Ben (0 < 1); 2 -> Ana (1 = 1, Ana listed first); 3 -> Ben
        (1 < 2); 4 -> Ana (2 = 2, Ana first). Ana 3, Ben 2."""
        contracts = [self._lease() for _ in range(5)]
        worked = self._open_cases(contracts[0], [100.0])
        self._dispatch(worked, assign_to="collector", collector_id=self.ana.id)
        cases = self._open_cases(self.env["leasing.contract"].concat(*contracts[1:]), [10.0, 20.0, 30.0, 40.0])
        self._dispatch(cases, assign_to="team", team_id=self.team.id, spread_by="count")
        self.assertEqual(cases.mapped("collector_id"), self.ben | self.ana)
        self.assertEqual([case.collector_id for case in cases], [self.ben, self.ana, self.ben, self.ana])
        self.assertEqual(cases.team_id, self.team)
        self.assertEqual(set(cases.mapped("stage_id")), {self.stage_assigned})

    def test_dispatch_by_amount_largest_first_to_the_least_loaded(self):
        """Ana already works 500.00 overdue, Ben nothing. New: 900, 700, 400, 300. 900 -> Ben
        (0 < 500); 700 -> Ana (500 < 900): 1,200; 400 -> Ben (900 < 1,200): 1,300; 300 -> Ana
        (1,200 < 1,300): 1,500. Ana 700 + 300, Ben 900 + 400."""
        contracts = [self._lease() for _ in range(5)]
        worked = self._open_cases(contracts[0], [500.0])
        self._dispatch(worked, assign_to="collector", collector_id=self.ana.id)
        cases = self._open_cases(self.env["leasing.contract"].concat(*contracts[1:]), [300.0, 900.0, 400.0, 700.0])
        self._dispatch(cases, assign_to="team", team_id=self.team.id, spread_by="amount")
        by_amount = {case.amount_overdue: case.collector_id for case in cases}
        self.assertEqual(by_amount, {900.0: self.ben, 700.0: self.ana, 400.0: self.ben, 300.0: self.ana})

    def test_reassignment_keeps_the_history_and_gives_a_todo(self):
        self._with_tracking()
        contract = self._behind()
        self._close("2026-03-10")
        case = self._cases(contract)
        self._dispatch(case, assign_to="collector", collector_id=self.ana.id)
        # Each dispatch its own transaction: the tracking is written when it commits.
        self.env.cr.precommit.run()
        self.assertRecordValues(
            case, [{"collector_id": self.ana.id, "team_id": self.team.id, "stage_id": self.stage_assigned.id}]
        )
        self._dispatch(case, assign_to="collector", collector_id=self.ben.id)
        self.assertEqual(case.collector_id, self.ben)
        self.assertEqual(case.stage_id, self.stage_assigned, "only a New case moves to Assigned")
        self.env.cr.precommit.run()
        trackings = case.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "collector_id")
        self.assertEqual(
            sorted((t.old_value_char, t.new_value_char) for t in trackings),
            sorted([("", self.ana.name), (self.ana.name, self.ben.name)]),
        )
        todos = case.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(todos.user_id, self.ana | self.ben)
        # The same collector again: no new to-do.
        self._dispatch(case, assign_to="collector", collector_id=self.ben.id)
        self.assertEqual(len(case.activity_ids), 2)

    def test_who_dispatches_what(self):
        contract = self._behind()
        self._close("2026-03-10")
        case = self._cases(contract)
        # A collector does not dispatch.
        with self.assertRaises(AccessError):
            self._dispatch(case, user=self.ana, assign_to="collector", collector_id=self.ana.id)
        # The leader dispatches their team's cases among the team, not others'.
        self._dispatch(case, assign_to="collector", collector_id=self.ana.id)
        self._dispatch(case, user=self.leader, assign_to="collector", collector_id=self.ben.id)
        self.assertEqual(case.collector_id, self.ben)
        outsider = new_test_user(self.env, "case_outsider", groups=COLLECTOR, company_id=self.company.id)
        with self.assertRaises(AccessError):
            self._dispatch(case, user=self.leader, assign_to="collector", collector_id=outsider.id)
        other_team = self.env["leasing.collection.team"].create(
            {
                "name": "South",
                "company_id": self.company.id,
                "leader_id": outsider.id,
                "member_ids": [Command.set(outsider.ids)],
            }
        )
        with self.assertRaises(AccessError):
            self._dispatch(case, user=self.leader, assign_to="team", team_id=other_team.id)
        self.assertEqual(case.collector_id, self.ben)
        # Nothing to give to, a closed case: clear errors, nothing written.
        with self.assertRaisesRegex(UserError, "Choose the collector"):
            self._dispatch(case, assign_to="collector")
        with self.assertRaisesRegex(UserError, "has no collector"):
            self._dispatch(
                case, assign_to="team", team_id=self.env["leasing.collection.team"].create({"name": "Empty"}).id
            )
        case.sudo().stage_id = self.stage_resolved
        with self.assertRaisesRegex(UserError, "only open cases"):
            self._dispatch(case, assign_to="collector", collector_id=self.ana.id)
        self.assertEqual(case.collector_id, self.ben)

    # ------------------------------------------------------------------
    # Debt class
    # ------------------------------------------------------------------
    def test_debt_class(self):
        software = self.env["product.product"].create({"name": "Software", "type": "service", "lst_price": 10000.0})
        key = self.env["res.partner"].create({"name": "Key Lessee", "is_company": True, "leasing_key_customer": True})
        goods = self._behind()
        service = self._lease(products=software, partner_id=key.id)
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        self.assertRecordValues(
            self._cases(goods | service),
            [
                {"debt_term": "short", "debt_nature": "goods", "customer_class": "ordinary"},
                {"debt_term": "short", "debt_nature": "service", "customer_class": "key"},
            ],
        )
        # More days past due than the company's long-term threshold: long-term, from the next close.
        self.company.leasing_long_term_overdue_days = 10
        self._close("2026-03-11")
        self.assertEqual(self._cases(goods | service).mapped("debt_term"), ["long", "long"])
        # Filters and groupings.
        self.assertEqual(
            self.Case.search([("customer_class", "=", "key")]) & self._cases(goods | service), self._cases(service)
        )
        groups = self.Case._read_group([("id", "in", self._cases(goods | service).ids)], ["debt_nature"], ["__count"])
        self.assertEqual(sorted(groups), [("goods", 1), ("service", 1)])

    # ------------------------------------------------------------------
    # What a collector reads
    # ------------------------------------------------------------------
    def test_collector_reads_their_cases_and_the_leases_behind_them(self):
        mine = self._behind()
        bens = self._behind(partner_id=self.env["res.partner"].create({"name": "Ben's Lessee"}).id)
        nobodys = self._behind(partner_id=self.env["res.partner"].create({"name": "Nobody's Lessee"}).id)
        self._close("2026-03-10")
        my_case, bens_case, nobodys_case = self._cases(mine | bens | nobodys)
        self._dispatch(my_case, assign_to="collector", collector_id=self.ana.id)
        self._dispatch(bens_case, assign_to="collector", collector_id=self.ben.id)
        # Ben's case moved to another team: Ana's leader no longer sees it.
        other_team = self.env["leasing.collection.team"].create(
            {"name": "South", "member_ids": [Command.set(self.ben.ids)]}
        )
        bens_case.sudo().team_id = other_team
        all_three = self._cases(mine | bens | nobodys)
        Contract = self.env["leasing.contract"]
        expected = {
            self.ana: (my_case, mine),
            self.ben: (bens_case, bens),
            self.leader: (my_case, mine),
            self.manager: (all_three, mine | bens | nobodys),
            self.seller: (None, mine | bens | nobodys),
        }
        for user, (cases, contracts) in expected.items():
            with self.subTest(user=user.login):
                if cases is not None:
                    self.assertEqual(self.Case.with_user(user).search([("id", "in", all_three.ids)]), cases)
                self.assertEqual(
                    Contract.with_user(user).search([("id", "in", (mine | bens | nobodys).ids)]), contracts
                )
                lines = (
                    self.env["leasing.schedule.line"]
                    .with_user(user)
                    .search([("contract_id", "in", (mine | bens | nobodys).ids)])
                )
                self.assertEqual(lines.contract_id, contracts)
        # Read-only on the lease, and nothing of the others.
        self.assertEqual(mine.with_user(self.ana).read(["name"])[0]["name"], mine.name)
        with self.assertRaises(AccessError):
            mine.with_user(self.ana).write({"note": "Changed by a collector"})
        with self.assertRaises(AccessError):
            bens.with_user(self.ana).read(["name"])
        with self.assertRaises(AccessError):
            bens_case.with_user(self.ana).read(["name"])
        with self.assertRaises(AccessError):
            nobodys_case.with_user(self.ana).write({"priority": "1"})
        # The collection statement of the case reads for its collector: overdue lines with their
        # penalty, the last payments, the payoff quote of the day, the address with its map link.
        self._pay(self._installment_invoices(mine)[0], amount=400.22, payment_date="2026-03-09")
        self.lessee.write({"street": "Calle Mayor 1", "zip": "28013", "city": "Madrid", "phone": "+34 91 000 00 00"})
        with freeze_time("2026-03-10"):
            case = my_case.with_user(self.ana)
            case.invalidate_recordset()
            self.assertEqual(case.overdue_line_ids, mine.schedule_line_ids.filtered(lambda line: line.sequence == 1))
            self.assertEqual(case.overdue_line_ids.penalty_due, 17.00)
            self.assertIn("400.22", case.last_payments)
            quote, error = self.env["leasing.debt.statement"]._payoff_quote(mine, date(2026, 3, 10))
            self.assertFalse(error)
            self.assertEqual(case.payoff_amount, quote["total"])
            self.assertGreater(case.payoff_amount, 3000.0)
            self.assertEqual(case.lessee_address, "Calle Mayor 1, 28013, Madrid")
            self.assertEqual(
                case.lessee_map_url, "https://www.openstreetmap.org/search?query=Calle+Mayor+1%2C+28013%2C+Madrid"
            )
            self.assertEqual(case.lessee_phone, "+34 91 000 00 00")
