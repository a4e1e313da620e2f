import base64
import json
import re
from datetime import date
from fractions import Fraction

from odoo.addons.leasing_collections.tools import Lease, PrincipalLine, bucket_on, portfolio_at_risk, roll_rates
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import COLLECTOR, CollectionsCommon

MONTH_ENDS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


@tagged("post_install", "-at_install")
class TestCollectionsReports(CollectionsCommon):
    """The reports on a hand-built portfolio: four leases of the common plan (principal
    3,300.22, 3,333.22 and 3,366.56 due 2026-02-28, 03-31 and 04-30; rents 3,400.22, 3,400.22
    and 3,400.23), all three rents invoiced, paid as follows, and closed at each month end from
    February to May:

    * A: the first rent paid early, on Feb 27; nothing since;
    * B: the first two rents paid on April 10, the third on its due date;
    * C: every rent paid on its due date;
    * D: nothing paid.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env, "reports_collector", groups=COLLECTOR, company_id=cls.company.id, company_ids=[cls.company.id]
        )

    def _portfolio(self):
        Partner = self.env["res.partner"]
        leases = {
            key: self._lease(partner_id=Partner.create({"name": f"Lessee {key}"}).id) for key in ("A", "B", "C", "D")
        }
        self._invoice("2026-04-25")
        invoices = {key: self._installment_invoices(lease) for key, lease in leases.items()}
        self.assertEqual([len(found) for found in invoices.values()], [3, 3, 3, 3])
        self._pay(invoices["A"][0], payment_date="2026-02-27")
        self._pay(invoices["B"][:2], payment_date="2026-04-10")
        self._pay(invoices["B"][2], payment_date="2026-04-30")
        for invoice, day in zip(invoices["C"], ["2026-02-28", "2026-03-31", "2026-04-30"], strict=True):
            self._pay(invoice, payment_date=day)
        for day in MONTH_ENDS[1:]:
            self._close(day.isoformat())
        return leases

    def _par_rows(self):
        rows = self.env["leasing.par.report"].search([("company_id", "=", self.company.id)], order="date")
        return [
            (
                row.date,
                row.outstanding,
                row.par30_amount,
                row.par60_amount,
                row.par90_amount,
                row.par30_count,
                row.par60_count,
                row.par90_count,
            )
            for row in rows
        ]

    def test_par_by_month(self):
        """Outstanding principal at each month end (the principal not repaid that day):

        * Jan 31: 4 x 10,000.00 = 40,000.00; nothing past due.
        * Feb 28: A and C repaid their first rent's 3,300.22: 2 x 6,699.78 + 2 x 10,000.00 =
          33,399.56; the first rents fall due that day: nothing past due yet.
        * Mar 31: A 6,699.78, B 10,000.00, C 3,366.56, D 10,000.00 = 30,066.34; B and D are 31
          days past due (the Feb 28 rent): PAR 30 = 20,000.00, 20,000 / 30,066.34 = 66.52 %.
        * Apr 30: B and C repaid everything: A 6,699.78 (30 days: its March rent), D 10,000.00
          (61 days) = 16,699.78; PAR 30 = PAR 60 = 10,000.00, 59.88 %.
        * May 31: A 61 days, D 92 days: PAR 30 = PAR 60 = 16,699.78 (100 %), PAR 90 = 10,000.00
          (59.88 %).
        """
        self._portfolio()
        self.assertEqual(
            self._par_rows(),
            [
                (date(2026, 1, 31), 40000.00, 0.0, 0.0, 0.0, 0, 0, 0),
                (date(2026, 2, 28), 33399.56, 0.0, 0.0, 0.0, 0, 0, 0),
                (date(2026, 3, 31), 30066.34, 20000.00, 0.0, 0.0, 2, 0, 0),
                (date(2026, 4, 30), 16699.78, 10000.00, 10000.00, 0.0, 1, 1, 0),
                (date(2026, 5, 31), 16699.78, 16699.78, 16699.78, 10000.00, 2, 2, 1),
            ],
        )
        march, april, may = self.env["leasing.par.report"].search(
            [("company_id", "=", self.company.id), ("date", ">=", "2026-03-31")], order="date"
        )
        self.assertAlmostEqual(march.par30_ratio, float(Fraction(2000000, Fraction("30066.34"))), places=9)
        self.assertEqual(round(march.par30_ratio, 2), 66.52)
        self.assertEqual(round(april.par60_ratio, 2), 59.88)
        self.assertEqual((may.par30_ratio, may.par60_ratio, round(may.par90_ratio, 2)), (100.0, 100.0, 59.88))
        # A ratio over several rows is their PAR over their outstanding, not a sum of ratios:
        # April and May together, (10,000 + 10,000) / (16,699.78 x 2) = 59.88 %.
        [group] = self.env["leasing.par.report"].read_group(
            [("company_id", "=", self.company.id), ("date", ">=", "2026-04-30")], ["par90_ratio:sum"], []
        )
        self.assertEqual(round(group["par90_ratio"], 2), 29.94)
        [group] = self.env["leasing.par.report"].read_group(
            [("company_id", "=", self.company.id), ("date", ">=", "2026-04-30")], ["par60_ratio:sum"], []
        )
        self.assertEqual(round(group["par60_ratio"], 2), 79.94)

    def test_par_view_follows_the_pure_rule(self):
        """The SQL view and tools/portfolio.py agree at every month end, on the leases' own
        schedules and payment dates."""
        leases = self._portfolio()
        engine_leases = [
            Lease(
                lease.id,
                lease.start_date,
                tuple(
                    PrincipalLine(
                        line.due_date,
                        line.principal,
                        bool(line.invoice_id) and line.state != "planned",
                        (line.last_payment_date or line.due_date) if line.state == "paid" else None,
                    )
                    for line in lease.schedule_line_ids
                ),
            )
            for lease in leases.values()
        ]
        rows = self.env["leasing.par.report"].search([("company_id", "=", self.company.id)], order="date")
        self.assertEqual(rows.mapped("date"), MONTH_ENDS)
        for row in rows:
            par = portfolio_at_risk(engine_leases, row.date)
            self.assertEqual(row.outstanding, float(par.outstanding))
            self.assertEqual(
                [row.par30_amount, row.par60_amount, row.par90_amount], [float(par.amounts[n]) for n in (30, 60, 90)]
            )
            self.assertEqual([row.par30_count, row.par60_count, row.par90_count], [par.counts[n] for n in (30, 60, 90)])
            self.assertAlmostEqual(row.par30_ratio, float(par.ratios[30] * 100), places=9)

    def test_par_stops_at_the_last_close(self):
        """The months run to the company's last close; the month under way stops on its date."""
        self._portfolio()
        self._close("2026-06-12")
        self.assertEqual(
            self.env["leasing.par.report"].search([("company_id", "=", self.company.id)], order="date").mapped("date"),
            [*MONTH_ENDS, date(2026, 6, 12)],
        )

    def test_roll_rates(self):
        """Buckets at each month end, from the aging history the closes wrote:

        ==  =======  =======  =======  =======  =======
            Jan 31   Feb 28   Mar 31   Apr 30   May 31
        ==  =======  =======  =======  =======  =======
        A   Current  Current  Current  1-30     61-90
        B   Current  Current  31-60    Current  Current
        C   Current  Current  Current  Current  Current
        D   Current  Current  31-60    61-90    91-180
        ==  =======  =======  =======  =======  =======

        (A: 30 days on Apr 30, 61 on May 31; B: 31 days on Mar 31, paid up on Apr 10; D: 31,
        61 and 92 days.) So in March, of 4 current leases 2 stayed and 2 rolled to 31-60 (50 %
        each); in April, of the 2 current, 1 stayed and 1 rolled to 1-30, and of the 2 in
        31-60, 1 cured and 1 rolled to 61-90 (50 % each); in May, 1-30 went to 61-90 and 61-90
        to 91-180 (100 %)."""
        leases = self.env["leasing.contract"].union(*self._portfolio().values())
        rows = self.env["leasing.roll.rate.report"].search([("company_id", "=", self.company.id)])
        names = {bucket.id: bucket.name for bucket in self.buckets}
        found = sorted(
            (
                row.date_from,
                row.date,
                names[row.bucket_from_id.id],
                names[row.bucket_to_id.id],
                row.contract_count,
                row.from_count,
                round(row.rate, 2),
            )
            for row in rows
        )
        jan, feb, mar, apr, may = MONTH_ENDS
        self.assertEqual(
            found,
            sorted(
                [
                    (jan, feb, "Current", "Current", 4, 4, 100.0),
                    (feb, mar, "Current", "Current", 2, 4, 50.0),
                    (feb, mar, "Current", "31-60 days", 2, 4, 50.0),
                    (mar, apr, "Current", "Current", 1, 2, 50.0),
                    (mar, apr, "Current", "1-30 days", 1, 2, 50.0),
                    (mar, apr, "31-60 days", "Current", 1, 2, 50.0),
                    (mar, apr, "31-60 days", "61-90 days", 1, 2, 50.0),
                    (apr, may, "Current", "Current", 2, 2, 100.0),
                    (apr, may, "1-30 days", "61-90 days", 1, 1, 100.0),
                    (apr, may, "61-90 days", "91-180 days", 1, 1, 100.0),
                ]
            ),
        )
        # The pure rule, on the buckets the history gives each lease at each month end, agrees.
        history = self.env["leasing.aging.history"].search([("contract_id", "in", leases.ids)], order="id")
        changes = {
            lease: [(row.date, row.bucket_after_id) for row in history if row.contract_id == lease] for lease in leases
        }
        for date_from, date_to in zip(MONTH_ENDS, MONTH_ENDS[1:]):
            rates = roll_rates(
                {lease: bucket_on(changes[lease], date_from, self.current) for lease in leases},
                {lease: bucket_on(changes[lease], date_to, self.current) for lease in leases},
            )
            month = rows.filtered(lambda row, day=date_to: row.date == day)
            self.assertEqual(
                {(row.bucket_from_id, row.bucket_to_id): row.contract_count for row in month}, rates.counts
            )
            for row in month:
                share = rates.shares[row.bucket_from_id, row.bucket_to_id]
                self.assertAlmostEqual(row.rate, float(share * 100), places=9)

    def test_aging_report_sums_are_the_leases_figures(self):
        """As of the May 31 close: A 61 days (61-90), overdue 3,400.22 + 3,400.23 = 6,800.45,
        principal outstanding 6,699.78; D 92 days (91-180), overdue 10,200.67, principal
        10,000.00; B and C paid up (current, nothing outstanding). The report's sums by bucket
        are the leases' own figures."""
        leases = self._portfolio()
        Report = self.env["leasing.aging.report"]
        rows = Report.search([("company_id", "=", self.company.id)])
        self.assertEqual(rows.contract_id, self.env["leasing.contract"].union(*leases.values()))
        self.assertEqual(rows.product_id, self.excavator)
        self.assertEqual(rows.plan_id, self.plan)
        by_lease = {row.contract_id: row for row in rows}
        for key, dpd, overdue, principal in [
            ("A", 61, 6800.45, 6699.78),
            ("B", 0, 0.0, 0.0),
            ("C", 0, 0.0, 0.0),
            ("D", 92, 10200.67, 10000.00),
        ]:
            lease = leases[key]
            row = by_lease[lease]
            self.assertEqual(
                (row.days_past_due, row.amount_in_arrears, row.outstanding_principal), (dpd, overdue, principal)
            )
            self.assertEqual(
                (row.aging_bucket_id, row.amount_in_arrears, row.penalty_due, row.penalty_accrued, row.close_date),
                (
                    lease.aging_bucket_id,
                    lease.amount_in_arrears,
                    lease.penalty_due,
                    lease.penalty_accrued,
                    date(2026, 5, 31),
                ),
            )
        groups = {
            bucket: (count, overdue, penalty)
            for bucket, count, overdue, penalty in Report._read_group(
                [("company_id", "=", self.company.id)],
                ["aging_bucket_id"],
                ["__count", "amount_in_arrears:sum", "penalty_due:sum"],
            )
        }
        contracts = self.env["leasing.contract"].union(*leases.values())
        for bucket, (count, overdue, penalty) in groups.items():
            in_bucket = contracts.filtered(lambda lease, bucket=bucket: lease.aging_bucket_id == bucket)
            self.assertEqual(count, len(in_bucket))
            self.assertAlmostEqual(overdue, sum(in_bucket.mapped("amount_in_arrears")), places=2)
            self.assertAlmostEqual(penalty, sum(in_bucket.mapped("penalty_due")), places=2)
        self.assertEqual(set(groups), {self.current, self.b61_90, self.b91_180})
        # The principal outstanding at the close is the PAR's of that day.
        may = self.env["leasing.par.report"].search([("company_id", "=", self.company.id), ("date", "=", "2026-05-31")])
        self.assertAlmostEqual(sum(rows.mapped("outstanding_principal")), may.outstanding, places=2)

    def test_collected(self):
        """What the lessees paid, on the day they paid it: 3,400.22 in February (A on the 27th,
        C on the 28th: 6,800.44), 3,400.22 in March (C), and in April B's 3,400.22 x 2 + 3,400.23
        and C's 3,400.23 = 13,600.90."""
        self._portfolio()
        months = dict(
            self.env["leasing.collection.report"]._read_group(
                [("company_id", "=", self.company.id)], ["date:month"], ["amount:sum"]
            )
        )
        self.assertEqual(
            {month.strftime("%Y-%m"): round(amount, 2) for month, amount in months.items()},
            {"2026-02": 6800.44, "2026-03": 3400.22, "2026-04": 13600.90},
        )

    def test_collector_reads_the_reports_of_their_company_only(self):
        self._portfolio()
        models = ["leasing.aging.report", "leasing.par.report", "leasing.roll.rate.report", "leasing.collection.report"]
        for model in models:
            found = self.env[model].with_user(self.collector).search([("company_id", "=", self.company.id)])
            self.assertTrue(found, model)
            found.read([])
        other = self.setup_other_company(name="Other Leasing Co")["company"]
        other_collector = new_test_user(
            self.env, "reports_other", groups=COLLECTOR, company_id=other.id, company_ids=[other.id]
        )
        for model in models:
            self.assertFalse(self.env[model].with_user(other_collector).search([]).company_id - other, model)
            self.assertFalse(
                self.env[model].with_user(other_collector).search([("company_id", "=", self.company.id)]), model
            )
        # Nor does a user without collections rights read them.
        outsider = new_test_user(self.env, "reports_outsider", groups="base.group_user", company_id=self.company.id)
        for model in models:
            with self.assertRaises(AccessError):
                self.env[model].with_user(outsider).search([])

    def test_report_menus_and_views_open_for_a_collector(self):
        menus = self.env["ir.ui.menu"].with_user(self.collector)._visible_menu_ids()
        for name in ("aging_report", "collection_report", "par_report", "roll_rate_report"):
            self.assertIn(self.env.ref(f"leasing_collections.menu_leasing_collections_{name}").id, menus)
        for xmlid in (
            "leasing_collections.action_leasing_aging_report",
            "leasing_collections.action_leasing_collection_report",
            "leasing_collections.action_leasing_par_report",
            "leasing_collections.action_leasing_roll_rate_report",
            "leasing_collections.action_leasing_schedule_line_overdue",
        ):
            action = self.env.ref(xmlid)
            model = self.env[action.res_model].with_user(self.collector)
            views = model.get_views(
                [(view.view_id.id, view.view_mode) for view in action.view_ids] or [(False, "list")]
            )
            for view_type in action.view_mode.split(","):
                arch = model.get_views([(False, view_type)])["views"][view_type]["arch"]
                self.assertTrue(arch, f"{xmlid}: {view_type}")
            self.assertTrue(views["views"])
        self.assertEqual(
            self.env.ref("leasing_collections.action_leasing_aging_report").res_model, "leasing.aging.report"
        )


@tagged("post_install", "-at_install")
class TestLeasingDashboard(CollectionsCommon):
    """The dashboard's spreadsheet reads real data: every pivot, list and chart names a model and
    fields that exist, every formula names a pivot or list of the file, and the collectors see
    it."""

    def _dashboard(self, xmlid="leasing_collections.spreadsheet_dashboard_leasing"):
        dashboard = self.env.ref(xmlid)
        return dashboard, json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))

    def _check_field(self, model, path):
        Model = self.env[model]
        for name in path.split("."):
            name = name.split(":")[0]
            if name == "__count":
                return
            self.assertIn(name, Model._fields, f"{Model._name}.{name}")
            field = Model._fields[name]
            Model = self.env[field.comodel_name] if field.relational else Model

    def _check_domain(self, model, domain):
        for leaf in domain:
            if isinstance(leaf, list):
                self._check_field(model, leaf[0])

    def _check_dashboard(self, dashboard, data, odoo_chart_count):
        self.assertEqual(
            dashboard.dashboard_group_id, self.env.ref("leasing_collections.spreadsheet_dashboard_group_leasing")
        )
        self.assertIn(self.env.ref(COLLECTOR), dashboard.group_ids)
        self.assertTrue(data["pivots"])
        for pivot in data["pivots"].values():
            for measure in pivot["measures"]:
                self._check_field(pivot["model"], measure["fieldName"])
            for group in pivot["rows"] + pivot["columns"]:
                self._check_field(pivot["model"], group["fieldName"])
            self._check_domain(pivot["model"], pivot["domain"])
            for matching in pivot["fieldMatching"].values():
                self._check_field(pivot["model"], matching["chain"])
            # As the spreadsheet reads it.
            self.env[pivot["model"]].read_group(
                pivot["domain"],
                [f"{m['fieldName']}:sum" if m["fieldName"] != "__count" else "__count" for m in pivot["measures"]],
                [group["fieldName"] for group in pivot["rows"]],
                lazy=False,
            )
        for sheet_list in data["lists"].values():
            for column in sheet_list["columns"] + [order["name"] for order in sheet_list["orderBy"]]:
                self._check_field(sheet_list["model"], column)
            self._check_domain(sheet_list["model"], sheet_list["domain"])
        charts = [figure["data"] for sheet in data["sheets"] for figure in sheet["figures"] if figure["tag"] == "chart"]
        odoo_charts = [chart for chart in charts if chart["type"].startswith("odoo_")]
        self.assertEqual(len(odoo_charts), odoo_chart_count)
        for chart in odoo_charts:
            meta = chart["metaData"]
            self._check_field(meta["resModel"], meta["measure"])
            for group in meta["groupBy"]:
                self._check_field(meta["resModel"], group)
            self._check_domain(meta["resModel"], chart["searchParams"]["domain"])
        # Scorecards show cells of the data sheet, and those cells are formulas on the data.
        cells = {sheet["name"]: sheet["cells"] for sheet in data["sheets"]}
        for chart in charts:
            if chart["type"] == "scorecard":
                for key in ("keyValue", "baseline"):
                    if key in chart:
                        sheet, cell = chart[key].split("!")
                        self.assertTrue(cells[sheet][cell]["content"].startswith("="), chart[key])
        # No number typed in: every figure is a formula naming a pivot or a list of the file.
        for sheet_cells in cells.values():
            for cell in sheet_cells.values():
                content = cell["content"]
                self.assertTrue(content.startswith("="), content)
                for function, ident in re.findall(r"(PIVOT\.VALUE|PIVOT\.HEADER|PIVOT|ODOO\.LIST)\((\d+)", content):
                    self.assertIn(ident, data["lists"] if function == "ODOO.LIST" else data["pivots"], content)
        for menu in data["chartOdooMenusReferences"].values():
            self.assertTrue(self.env.ref(menu))
        self.assertEqual(data["globalFilters"][0]["defaultValue"], "this_month")

    def test_dashboard_reads_real_models_and_fields(self):
        dashboard, data = self._dashboard()
        self.assertTrue(data["lists"])
        self._check_dashboard(dashboard, data, 4)

    def test_collections_dashboard_reads_real_models_and_fields(self):
        # The collections page: open cases by stage and collector, promises kept, requests to approve.
        dashboard, data = self._dashboard("leasing_collections.spreadsheet_dashboard_leasing_collections")
        self._check_dashboard(dashboard, data, 4)
        models = {pivot["model"] for pivot in data["pivots"].values()}
        self.assertEqual(
            models,
            {"leasing.collection.case", "leasing.collection.request", "leasing.collector.performance.report"},
        )
        # The dynamic tables of the dashboard sheet: open cases by stage and by collector.
        tables = [
            cell["content"] for cell in data["sheets"][0]["cells"].values() if cell["content"].startswith("=PIVOT(")
        ]
        self.assertEqual(
            [data["pivots"][table[7:-1]]["rows"][0]["fieldName"] for table in tables], ["stage_id", "collector_id"]
        )

    def test_collector_opens_the_dashboard(self):
        collector = new_test_user(
            self.env, "dash_collector", groups=COLLECTOR, company_id=self.company.id, company_ids=[self.company.id]
        )
        dashboard = self.env.ref("leasing_collections.spreadsheet_dashboard_leasing").with_user(collector)
        snapshot = dashboard.get_readonly_dashboard()["snapshot"]
        self.assertEqual([sheet["name"] for sheet in snapshot["sheets"]], ["Dashboard", "Data"])
        self.assertIn(dashboard, self.env["spreadsheet.dashboard"].with_user(collector).search([]))
        collections = self.env.ref("leasing_collections.spreadsheet_dashboard_leasing_collections").with_user(collector)
        snapshot = collections.get_readonly_dashboard()["snapshot"]
        self.assertEqual([sheet["name"] for sheet in snapshot["sheets"]], ["Collections", "Data"])
        self.assertIn(collections, self.env["spreadsheet.dashboard"].with_user(collector).search([]))
