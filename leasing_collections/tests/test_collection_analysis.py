from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon


@tagged("post_install", "-at_install")
class TestCollectionAnalysis(CollectionsCommon):
    """The collections reports, each on a small data set made by hand: its figures are sums
    worked out below, not read back from the code."""

    USER_PREFIX = "analysis"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stages = {stage.stage_key: stage for stage in cls.env["leasing.collection.stage"].search([])}

    def _cases(self, *rows):
        """One case per ``(stage key, bucket, amount overdue, penalty due)`` row, each on a lease
        of its own, as the close and the dispatch leave them."""
        Case = self.env["leasing.collection.case"].sudo()
        cases = Case.browse()
        for stage, bucket, overdue, penalty in rows:
            contract = self._lease()
            cases |= Case.create(
                {
                    "name": f"CASE/{contract.name}",
                    "contract_id": contract.id,
                    "stage_id": self.stages[stage].id,
                    "aging_bucket_id": bucket.id,
                    "amount_overdue": overdue,
                    "penalty_due": penalty,
                }
            )
        return cases.sudo(False)

    def _pivot(self, action_xmlid, domain, groupby, measures):
        """The report's figures, as its action's pivot reads them: {group key: (count, sums)}."""
        action = self.env.ref(action_xmlid)
        Model = self.env[action.res_model]
        rows = Model.read_group(domain, [f"{m}:sum" for m in measures], groupby, lazy=False)
        return {
            tuple(row[name][0] if isinstance(row[name], tuple) else row[name] for name in groupby): (
                row["__count"],
                *(row[m] for m in measures),
            )
            for row in rows
        }

    def test_cases_by_stage_and_bucket(self):
        cases = self._cases(
            ("contacted", self.b1_30, 3400.22, 5.10),
            ("contacted", self.b1_30, 1200.00, 0.00),
            ("contacted", self.b31_60, 6800.44, 40.80),
            ("promise", self.b31_60, 3400.22, 20.40),
            ("resolved", self.b1_30, 0.00, 0.00),
        )
        action = self.env.ref("leasing_collections.action_leasing_collection_case_analysis")
        self.assertEqual(action.view_ids[0].view_id.arch_db.count('type="row"'), 1)
        # Open cases only, as the action's default filter shows them.
        figures = self._pivot(
            "leasing_collections.action_leasing_collection_case_analysis",
            [("id", "in", cases.ids), ("is_closed", "=", False)],
            ["stage_id", "aging_bucket_id"],
            ["amount_overdue", "penalty_due"],
        )
        self.assertEqual(
            figures,
            {
                # 3,400.22 + 1,200.00; 5.10 + 0.00
                (self.stages["contacted"].id, self.b1_30.id): (2, 4600.22, 5.10),
                (self.stages["contacted"].id, self.b31_60.id): (1, 6800.44, 40.80),
                (self.stages["promise"].id, self.b31_60.id): (1, 3400.22, 20.40),
            },
        )

    def test_requests_by_type_and_status(self):
        contract = self._lease()
        Request = self.env["leasing.collection.request"].sudo()
        rows = [
            ("waiver", "submitted", 25.50),
            ("waiver", "submitted", 14.50),
            ("waiver", "done", 30.00),
            ("repossession", "approved", 0.0),
            ("lock", "refused", 0.0),
            ("write_off", "draft", 6800.44),
        ]
        requests = Request.create(
            [
                {"request_type": kind, "state": state, "amount": amount, "contract_id": contract.id, "reason": "test"}
                for kind, state, amount in rows
            ]
        )
        figures = self._pivot(
            "leasing_collections.action_leasing_collection_request_analysis",
            [("id", "in", requests.ids)],
            ["request_type", "state"],
            ["amount"],
        )
        self.assertEqual(
            figures,
            {
                ("waiver", "submitted"): (2, 40.00),
                ("waiver", "done"): (1, 30.00),
                ("repossession", "approved"): (1, 0.0),
                ("lock", "refused"): (1, 0.0),
                ("write_off", "draft"): (1, 6800.44),
            },
        )

    # ------------------------------------------------------------------
    # Collector performance
    # ------------------------------------------------------------------
    def _performance_data(self):
        """Two collectors, March and April 2026, by hand:

        - case 1 (``wang``, team North), lease 1, open since March 26: contacts on March 27 and 28,
          April 2; promises made March 28 (1,000.00, kept), April 2 (500.00, broken), April 3
          (300.00, open); lease 1's instalment 1 paid 1,000.00 on March 25, before the case (not
          counted), and 2,400.22 on March 30, while the case is open;
        - case 2 (``lucia``, no team), lease 2, open March 1 to April 10: a contact on March 6, a
          promise that day (500.00, kept); instalment 1 paid March 28 (3,400.22), instalment 2
          paid April 15 (3,400.22) once the case was resolved: not counted."""
        company = {"company_id": self.company.id, "company_ids": [self.company.id]}
        self.wang = new_test_user(self.env, "perf_wang", groups=COLLECTOR, **company)
        self.lucia = new_test_user(self.env, "perf_lucia", groups=COLLECTOR, **company)
        self.team = self.env["leasing.collection.team"].create(
            {"name": "North", "company_id": self.company.id, "leader_id": self.wang.id}
        )
        lease_1, lease_2 = self._lease(), self._lease()
        self._invoice("2026-03-25")
        Case = self.env["leasing.collection.case"].sudo()
        case_1 = Case.create(
            {
                "name": "CASE/PERF/1",
                "contract_id": lease_1.id,
                "collector_id": self.wang.id,
                "team_id": self.team.id,
                "stage_id": self.stages["contacted"].id,
                "opened_date": "2026-03-26",
            }
        )
        case_2 = Case.create(
            {
                "name": "CASE/PERF/2",
                "contract_id": lease_2.id,
                "collector_id": self.lucia.id,
                "stage_id": self.stages["contacted"].id,
                "opened_date": "2026-03-01",
            }
        )
        Log = self.env["leasing.collection.log"].sudo()
        Promise = self.env["leasing.collection.promise"].sudo()
        for case, user, when in (
            (case_1, self.wang, "2026-03-27 10:00:00"),
            (case_1, self.wang, "2026-03-28 10:00:00"),
            (case_1, self.wang, "2026-04-02 10:00:00"),
            (case_2, self.lucia, "2026-03-06 10:00:00"),
        ):
            with freeze_time(when):
                Log.create({"case_id": case.id, "user_id": user.id, "channel": "call", "result": "no_answer"})
        for case, user, made, amount, state in (
            (case_1, self.wang, "2026-03-28", 1000.0, "kept"),
            (case_1, self.wang, "2026-04-02", 500.0, "broken"),
            (case_1, self.wang, "2026-04-03", 300.0, "open"),
            (case_2, self.lucia, "2026-03-06", 500.0, "kept"),
        ):
            with freeze_time(made):
                promise = Promise.create({"case_id": case.id, "user_id": user.id, "date": made, "amount": amount})
            if state != "open":
                promise.write({"state": state})
        first_1 = self._installment_invoices(lease_1)[0]
        first_2, second_2 = self._installment_invoices(lease_2)[:2]
        self._pay(first_1, amount=1000.0, payment_date="2026-03-25")
        self._pay(first_1, amount=2400.22, payment_date="2026-03-30")
        self._pay(first_2, payment_date="2026-03-28")
        case_2.write({"stage_id": self.stages["resolved"].id, "closed_date": "2026-04-10"})
        self._pay(second_2, payment_date="2026-04-15")
        return case_1, case_2

    def test_collector_performance(self):
        self._performance_data()
        Report = self.env["leasing.collector.performance.report"]
        domain = [("collector_id", "in", (self.wang | self.lucia).ids)]
        measures = [
            "case_count",
            "contact_count",
            "promise_count",
            "promised_amount",
            "promise_kept_count",
            "promise_broken_count",
            "promise_kept_pct",
            "amount_recovered",
        ]
        rows = Report.search_read(domain, ["collector_id", "team_id", "date", *measures])
        figures = {
            (row["collector_id"][0], row["team_id"] and row["team_id"][0], str(row["date"])): tuple(
                row[m] for m in measures
            )
            for row in rows
        }
        self.assertEqual(
            figures,
            {
                # 2 contacts, a promise of 1,000.00 kept, the 2,400.22 paid on March 30.
                (self.wang.id, self.team.id, "2026-03-01"): (1, 2, 1, 1000.0, 1, 0, 100.0, 2400.22),
                # 1 contact, promises of 500.00 (broken) and 300.00 (open): 0 % kept of 1 decided.
                (self.wang.id, self.team.id, "2026-04-01"): (1, 1, 2, 800.0, 0, 1, 0.0, 0.0),
                # 1 contact, a promise of 500.00 kept, the 3,400.22 of March 28; not April 15's.
                (self.lucia.id, False, "2026-03-01"): (1, 1, 1, 500.0, 1, 0, 100.0, 3400.22),
            },
        )
        # By collector over both months: Wang kept 1 promise of 2 decided (50 %), not 100 + 0.
        by_collector = {
            row["collector_id"][0]: (row["promise_kept_pct"], row["amount_recovered"], row["contact_count"])
            for row in Report.read_group(
                domain, ["promise_kept_pct:sum", "amount_recovered:sum", "contact_count:sum"], ["collector_id"]
            )
        }
        self.assertEqual(by_collector, {self.wang.id: (50.0, 2400.22, 3), self.lucia.id: (100.0, 3400.22, 1)})
        # The team: Wang's cases only (Lucía works outside it): 1 kept of 2 decided.
        by_team = Report.read_group(domain + [("team_id", "=", self.team.id)], ["promise_kept_pct:sum"], [])
        self.assertEqual(by_team[0]["promise_kept_pct"], 50.0)

    def test_collector_performance_rules(self):
        self._performance_data()
        Report = self.env["leasing.collector.performance.report"]
        domain = [("collector_id", "in", (self.wang | self.lucia).ids)]
        # A collector sees their own rows; the leader of a team, the team's.
        self.assertEqual(set(Report.with_user(self.lucia).search(domain).mapped("collector_id")), {self.lucia})
        self.assertEqual(set(Report.with_user(self.wang).search(domain).mapped("collector_id")), {self.wang})
        manager = new_test_user(
            self.env,
            "perf_manager",
            groups=COLLECTION_MANAGER,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertEqual(len(Report.with_user(manager).search(domain)), 3)
        other_company = self.env["res.company"].create({"name": "Leasing Sur"})
        outsider = new_test_user(
            self.env,
            "perf_outsider",
            groups=COLLECTION_MANAGER,
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertFalse(Report.with_user(outsider).search(domain))

    # ------------------------------------------------------------------
    # Write-offs and recoveries
    # ------------------------------------------------------------------
    def test_write_offs_and_recoveries(self):
        """A lease without penalty interest (rate 0), instalments 1 and 2 (3,400.22 each) invoiced
        on March 25, 1,000.00 paid on instalment 1: written off on April 15 for 2,400.22 +
        3,400.22 = 5,800.44; then 500.00 recovered on May 5 and 200.00 on June 2."""
        self.plan.penalty_rate_daily = 0.0
        contract = self._lease()
        self._invoice("2026-03-25")
        first = self._installment_invoices(contract)[0]
        self._pay(first, amount=1000.0, payment_date="2026-03-27")
        with freeze_time("2026-04-15"):
            contract.sudo()._leasing_write_off(date(2026, 4, 15), "The lessee is insolvent.")
        for amount, day in ((500.0, "2026-05-05"), (200.0, "2026-06-02")):
            self._pay_on_account(self.lessee, amount, day)
            with freeze_time(day):
                contract.action_allocate_payments()
        Report = self.env["leasing.write.off.report"]
        rows = Report.read_group(
            [("contract_id", "=", contract.id)],
            ["amount_written_off:sum", "amount_recovered:sum", "amount_net:sum"],
            ["date:month", "company_id"],
            lazy=False,
        )
        self.assertEqual(
            [
                (
                    row["date:month"],
                    row["company_id"][0],
                    row["amount_written_off"],
                    row["amount_recovered"],
                    row["amount_net"],
                )
                for row in rows
            ],
            [
                ("April 2026", self.company.id, 5800.44, 0.0, 5800.44),
                ("May 2026", self.company.id, 0.0, 500.0, -500.0),
                ("June 2026", self.company.id, 0.0, 200.0, -200.0),
            ],
        )
        # As the lease's own figures say.
        contract.invalidate_recordset()
        self.assertEqual((contract.amount_written_off, contract.amount_recovered), (5800.44, 700.0))
        # Each company sees its own.
        other_company = self.env["res.company"].create({"name": "Leasing Este"})
        outsider = new_test_user(
            self.env,
            "write_off_report_outsider",
            groups=COLLECTION_MANAGER,
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertFalse(Report.with_user(outsider).search([("contract_id", "=", contract.id)]))
        collector = new_test_user(
            self.env,
            "write_off_report_collector",
            groups=COLLECTOR,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        # One row per receivable item: the write-off credits instalments 1 and 2 apart, then the
        # two recoveries.
        self.assertEqual(len(Report.with_user(collector).search([("contract_id", "=", contract.id)])), 4)
