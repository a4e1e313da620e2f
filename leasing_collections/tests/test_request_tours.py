from odoo.tests import HttpCase, new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon


@tagged("post_install", "-at_install")
class TestRequestTours(CollectionsCommon, HttpCase):
    """An interest waiver in the browser (static/tests/tours/leasing_collection_request_tour.js).

    The lease of ``test_collection_request.py`` as the close of April 20 leaves it: penalty due
    (not invoiced) 22.00, of 70.50 that can be waived. Its collector (``tour_req_collector``)
    opens the case, asks for a waiver of 3.00 with a reason and submits it; a Collection
    Manager (``tour_req_manager``) opens Collections > To Approve and approves it: the lease's
    penalty due drops by exactly 3.00, to 19.00, and a penalty waiver of 3.00 records it."""

    USER_PREFIX = "tour_req"
    LESSEE = "Tour Requests Haulage"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.penalty_billing_day = 10
        cls.collector = new_test_user(cls.env, "tour_req_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.manager = new_test_user(cls.env, "tour_req_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id)
        cls.lessee = cls.env["res.partner"].create({"name": cls.LESSEE, "is_company": True})

    def test_collector_submits_manager_approves_a_waiver(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        first, _second = self._installment_invoices(contract)
        self._pay(first, amount=1000.0, payment_date="2026-03-02")
        self._pay(first, amount=1400.22, payment_date="2026-03-16")
        self._close("2026-04-10")
        self._close("2026-04-20")
        contract.invalidate_recordset()
        self.assertEqual(contract.penalty_due, 22.0)
        # The case as the close opens it and the dispatch assigns it (system fields).
        case = (
            self.env["leasing.collection.case"]
            .sudo()
            .create(
                {
                    "contract_id": contract.id,
                    "collector_id": self.collector.id,
                    "days_past_due": contract.days_past_due,
                    "penalty_due": contract.penalty_due,
                }
            )
        )
        Request = self.env["leasing.collection.request"]

        self.start_tour("/odoo", "leasing_collections_request_submit", login=self.collector.login)
        request = Request.search([("contract_id", "=", contract.id)])
        self.assertRecordValues(
            request,
            [
                {
                    "request_type": "waiver",
                    "case_id": case.id,
                    "state": "submitted",
                    "amount": 3.0,
                    "submitted_by_id": self.collector.id,
                    "reason": "First delay in six years; the lessee paid the arrears today.",
                }
            ],
        )
        self.assertFalse(self.env["leasing.penalty.waiver"].search([("contract_id", "=", contract.id)]))

        self.start_tour("/odoo", "leasing_collections_request_approve", login=self.manager.login)
        self.env.invalidate_all()
        self.assertRecordValues(request, [{"state": "done", "approved_by_id": self.manager.id}])
        self.assertEqual(contract.penalty_due, 19.0)
        waiver = self.env["leasing.penalty.waiver"].search([("contract_id", "=", contract.id)])
        self.assertRecordValues(waiver, [{"amount": 3.0, "amount_credited": 0.0, "request_id": request.id}])
        self.assertEqual(waiver.schedule_line_id.sequence, 1)
