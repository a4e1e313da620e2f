from odoo.tests import tagged

from .common import CollectionsCommon


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
