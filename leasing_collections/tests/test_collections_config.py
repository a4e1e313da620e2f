from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.addons.leasing_management.tests.view_helpers import shows, view_arch
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon, give_cases


@tagged("post_install", "-at_install")
class TestCollectionsConfig(CollectionsCommon):
    """Buckets, plans and the settings; who may do what; the close by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(cls.env, "cl_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.collection_manager = new_test_user(
            cls.env, "cl_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id
        )

    def _bucket_wizard(self, user=None):
        return self.env["leasing.aging.bucket.wizard"].with_user(user or self.collection_manager).create({})

    # ------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------
    def test_default_buckets_for_every_company(self):
        self.assertEqual(
            [(b.name, b.min_days, b.max_days, b.open_ended) for b in self.buckets],
            [
                ("Current", 0, 0, False),
                ("1-30 days", 1, 30, False),
                ("31-60 days", 31, 60, False),
                ("61-90 days", 61, 90, False),
                ("91-180 days", 91, 180, False),
                ("Over 180 days", 181, 0, True),
            ],
        )
        company = self.env["res.company"].create({"name": "New Leasing Co"})
        buckets = self.env["leasing.aging.bucket"].search([("company_id", "=", company.id)])
        self.assertEqual(len(buckets), 6)
        self.assertEqual(buckets[0].name, "Current")

    def test_bucket_editor_moves_a_boundary(self):
        """Moving the end of 1-30 to 45 and the start of 31-60 to 46 is saved together."""
        wizard = self._bucket_wizard()
        self.assertEqual(len(wizard.line_ids), 6)
        rows = wizard.line_ids.sorted("min_days")
        wizard.write(
            {
                "line_ids": [
                    Command.update(rows[1].id, {"name": "1-45 days", "max_days": 45}),
                    Command.update(rows[2].id, {"name": "46-60 days", "min_days": 46}),
                ]
            }
        )
        wizard.action_apply()
        self.assertEqual(self.b1_30.name, "1-45 days")
        self.assertEqual((self.b1_30.max_days, self.b31_60.min_days), (45, 46))

    def test_bucket_editor_refuses_overlap_and_gap(self):
        wizard = self._bucket_wizard()
        rows = wizard.line_ids.sorted("min_days")
        rows[1].max_days = 45
        with self.assertRaisesRegex(ValidationError, "1-30 days and 31-60 days overlap"), self.env.cr.savepoint():
            wizard.action_apply()
        rows[1].max_days = 25
        with self.assertRaisesRegex(ValidationError, "No bucket holds 26 to 30 days past due"), self.env.cr.savepoint():
            wizard.action_apply()
        rows[1].max_days = 30
        rows[5].open_ended = False
        rows[5].max_days = 365
        with self.assertRaisesRegex(ValidationError, "must have no upper limit"), self.env.cr.savepoint():
            wizard.action_apply()
        rows[5].open_ended = True
        wizard.line_ids = [Command.delete(rows[0].id)]
        with (
            self.assertRaisesRegex(ValidationError, "first bucket, 1-30 days, must start at 0 days"),
            self.env.cr.savepoint(),
        ):
            wizard.action_apply()
        # Nothing changed.
        self.assertEqual(self.b1_30.max_days, 30)
        self.assertEqual(self.current.min_days, 0)

    def test_bucket_written_alone_is_checked(self):
        """A bucket changed on its own (RPC) cannot break the set either: nothing is saved."""
        with self.assertRaisesRegex(ValidationError, "overlap"), self.env.cr.savepoint():
            self.b1_30.with_user(self.collection_manager).max_days = 40
        with self.assertRaisesRegex(ValidationError, "No bucket holds 31 to 60"), self.env.cr.savepoint():
            self.b31_60.with_user(self.collection_manager).active = False
        with self.assertRaisesRegex(ValidationError, "no upper limit"), self.env.cr.savepoint():
            self.over_180.with_user(self.collection_manager).unlink()
        # Renaming is fine.
        self.b1_30.with_user(self.collection_manager).name = "Early arrears"
        self.assertEqual(self.b1_30.name, "Early arrears")

    def test_removed_bucket_is_archived(self):
        """Merging 61-90 and 91-180 into 61-180: the dropped bucket is archived, so the leases and
        history that name it keep it."""
        wizard = self._bucket_wizard()
        rows = wizard.line_ids.sorted("min_days")
        wizard.write(
            {
                "line_ids": [
                    Command.update(rows[3].id, {"name": "61-180 days", "max_days": 180}),
                    Command.delete(rows[4].id),
                ]
            }
        )
        wizard.action_apply()
        self.assertFalse(self.b91_180.active)
        self.assertEqual(
            self.env["leasing.aging.bucket"].search([("company_id", "=", self.company.id)]).mapped("name"),
            ["Current", "1-30 days", "31-60 days", "61-180 days", "Over 180 days"],
        )

    # ------------------------------------------------------------------
    # Plans and settings
    # ------------------------------------------------------------------
    def test_plan_penalty_terms_checked(self):
        for values, message in [
            ({"penalty_rate_daily": -0.01}, "penalty rate cannot be negative"),
            ({"penalty_cap_pct": 100.5}, "penalty cap must lie between 0 and 100"),
            ({"penalty_cap_pct": -1}, "penalty cap must lie between 0 and 100"),
            ({"penalty_grace_days": -2}, "grace days cannot be negative"),
        ]:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                self.plan.write(values)
        self.plan.write({"penalty_cap_pct": 100, "penalty_grace_days": 0, "penalty_rate_daily": 0})

    def test_company_default_rate_for_new_plans(self):
        settings = self.env["res.config.settings"].create({"leasing_penalty_rate_daily": 0.03})
        settings.execute()
        self.assertEqual(self.env.company.leasing_penalty_rate_daily, 0.03)
        plan = self.env["leasing.plan"].create({"name": "New plan"})
        self.assertEqual(plan.penalty_rate_daily, 0.03)
        # Existing plans keep their rate.
        self.assertEqual(self.plan.penalty_rate_daily, 0.05)
        with (
            self.assertRaisesRegex(ValidationError, "default penalty rate cannot be negative"),
            self.env.cr.savepoint(),
        ):
            self.env.company.leasing_penalty_rate_daily = -1

    # ------------------------------------------------------------------
    # Running the close by hand
    # ------------------------------------------------------------------
    @freeze_time("2026-04-10")
    def test_close_by_hand(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        wizard = self.env["leasing.close.run.wizard"].with_user(self.collection_manager).create({})
        self.assertEqual(wizard.date, date(2026, 4, 10))
        action = wizard.action_run()
        run = self.env["leasing.close.run"].browse(action["res_id"])
        self.assertRecordValues(
            run,
            [
                {
                    "origin": "manual",
                    "user_id": self.collection_manager.id,
                    "state": "done",
                    "date": date(2026, 4, 10),
                    "contract_count": 1,
                }
            ],
        )
        self.assertEqual(contract.days_past_due, 41)

    @freeze_time("2026-04-10")
    def test_close_for_a_future_or_past_date_refused(self):
        self._lease()
        Wizard = self.env["leasing.close.run.wizard"].with_user(self.collection_manager)
        with self.assertRaisesRegex(UserError, "cannot run for .* a day still to come"), self.env.cr.savepoint():
            Wizard.create({"date": "2026-04-11"}).action_run()
        self.assertFalse(self.env["leasing.close.run"].search([("company_id", "=", self.company.id)]))
        Wizard.create({"date": "2026-04-09"}).action_run()
        with self.assertRaisesRegex(UserError, "already closed for"), self.env.cr.savepoint():
            Wizard.create({"date": "2026-04-08"}).action_run()
        Wizard.create({"date": "2026-04-09"}).action_run()

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------
    @freeze_time("2026-04-10")
    def test_collector_reads_only(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        run = self._close("2026-04-10")
        line = contract.schedule_line_ids[0]
        # The lease behind the collector's case (the close opened it).
        give_cases(contract, self.collector)
        as_collector = contract.with_user(self.collector)
        self.assertEqual(as_collector.days_past_due, 41)
        self.assertEqual(as_collector.aging_bucket_id, self.b31_60)
        self.assertEqual(run.with_user(self.collector).contract_count, 1)
        self.assertTrue(self.env["leasing.aging.history"].with_user(self.collector).search([]))
        self.assertEqual(line.with_user(self.collector).penalty_accrued, line.penalty_accrued)
        with self.assertRaises(AccessError):
            self.b1_30.with_user(self.collector).name = "Mine"
        with self.assertRaises(AccessError):
            self.env["leasing.aging.bucket"].with_user(self.collector).create(
                {"name": "Mine", "min_days": 400, "max_days": 500}
            )
        with self.assertRaises(AccessError):
            self.env["leasing.close.run.wizard"].with_user(self.collector).create({})
        with self.assertRaises(AccessError):
            self.env["leasing.aging.bucket.wizard"].with_user(self.collector).create({})
        with self.assertRaises(AccessError):
            run.with_user(self.collector).unlink()

    @freeze_time("2026-04-10")
    def test_nobody_sets_the_close_figures_by_hand(self):
        """What the close sets is refused to everybody else, the Collection Manager included,
        and as a context default."""
        contract = self._lease()
        self._invoice("2026-03-25")
        run = self._close("2026-04-10")
        line = contract.schedule_line_ids[0]
        for user in (self.collection_manager, self.env.user):
            with self.subTest(user=user.login):
                for record, values in [
                    (contract, {"days_past_due": 0}),
                    (contract, {"aging_bucket_id": self.current.id}),
                    (contract, {"penalty_due": 0.0}),
                    (line, {"penalty_accrued": 0.0}),
                    (line, {"penalty_waived": 10.0}),
                    (line, {"days_past_due": 0}),
                    (run, {"state": "done"}),
                ]:
                    with self.assertRaises(AccessError):
                        record.with_user(user).write(values)
        with self.assertRaises(AccessError):
            self.env["leasing.aging.history"].with_user(self.env.user).create(
                {"contract_id": contract.id, "date": "2026-04-10"}
            )
        with self.assertRaises(AccessError):
            self.env["leasing.close.run"].with_user(self.env.user).create(
                {"company_id": self.company.id, "date": "2026-04-10"}
            )
        new = self.env["leasing.contract"].with_user(self.seller).with_context(default_days_past_due=99)
        self.assertEqual(new.create(self._lease_vals()).days_past_due, 0)
        self.assertEqual(contract.days_past_due, 41)

    @freeze_time("2026-04-10")
    def test_companies_closed_apart(self):
        """The close of one company leaves another's leases alone; each company sees its own
        buckets, runs and history."""
        contract = self._lease()
        self._invoice("2026-03-25")
        other_company = self.setup_other_company()["company"]
        self._close("2026-04-10")
        self.assertEqual(contract.days_past_due, 41)
        user = new_test_user(
            self.env, "cl_other", groups=COLLECTOR, company_id=other_company.id, company_ids=[other_company.id]
        )
        self.assertFalse(self.env["leasing.close.run"].with_user(user).search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.env["leasing.aging.history"].with_user(user).search([("contract_id", "=", contract.id)]))
        buckets = self.env["leasing.aging.bucket"].with_user(user).search([])
        self.assertEqual(buckets.company_id, other_company)

    # ------------------------------------------------------------------
    # Screens
    # ------------------------------------------------------------------
    @freeze_time("2026-04-10")
    def test_contract_form_shows_the_close_to_leasing_users(self):
        """Days past due, bucket and penalty due show on the form of an active lease, for a
        Leasing User too (who reads the buckets' names); not on a draft."""
        contract = self._lease()
        self._invoice("2026-03-25")
        self._close("2026-04-10")
        draft = self.env["leasing.contract"].with_user(self.seller).create(self._lease_vals())
        as_seller = contract.with_user(self.seller)
        arch = view_arch(as_seller)
        for field_name in ("days_past_due", "aging_bucket_id", "penalty_due"):
            node = arch.xpath(f"//field[@name='{field_name}']")[0]
            self.assertTrue(shows(node, as_seller), field_name)
            self.assertFalse(shows(node, draft), field_name)
        values = as_seller.web_read({"aging_bucket_id": {"fields": {"display_name": {}}}, "penalty_due": {}})[0]
        self.assertEqual(values["aging_bucket_id"]["display_name"], "31-60 days")
        # The aging history button is the collectors'.
        self.assertFalse(arch.xpath("//button[@name='action_view_aging_history']"))
        self.assertTrue(
            view_arch(contract.with_user(self.collector)).xpath("//button[@name='action_view_aging_history']")
        )

    def test_collections_menus_and_actions(self):
        """The collector's menus open; Run the Close is the Collection Manager's."""
        menus = self.env["ir.ui.menu"].with_user(self.collector)._visible_menu_ids()
        self.assertIn(self.env.ref("leasing_collections.menu_leasing_collections_overdue").id, menus)
        self.assertIn(self.env.ref("leasing_collections.menu_leasing_collections_close_log").id, menus)
        self.assertNotIn(self.env.ref("leasing_collections.menu_leasing_collections_run_close").id, menus)
        manager_menus = self.env["ir.ui.menu"].with_user(self.collection_manager)._visible_menu_ids()
        self.assertIn(self.env.ref("leasing_collections.menu_leasing_collections_run_close").id, manager_menus)
        for xmlid in (
            "leasing_collections.action_leasing_contract_overdue",
            "leasing_collections.action_leasing_schedule_line_overdue",
            "leasing_collections.action_leasing_aging_report",
            "leasing_collections.action_leasing_aging_history",
            "leasing_collections.action_leasing_close_run",
            "leasing_collections.action_leasing_aging_bucket",
        ):
            with self.subTest(action=xmlid):
                action = self.env.ref(xmlid)
                model = self.env[action.res_model].with_user(self.collector)
                for view_type in action.view_mode.split(","):
                    self.assertTrue(model.get_views([(False, view_type)])["views"][view_type]["arch"])
        action = self.env["leasing.aging.bucket"].with_user(self.collection_manager).action_open_editor()
        self.assertEqual(action["res_model"], "leasing.aging.bucket.wizard")
