from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import COLLECTOR, CollectionsCommon

# Collections > Collection Cases, the first menu of the app.
CASES_ACTION = "leasing_collections.action_leasing_collection_case"


@tagged("post_install", "-at_install")
class TestCollectorDayTour(CollectionsCommon, HttpCase):
    """A collector's day in the browser (static/tests/tours/collection_fieldwork_tour.js): the
    collector ``tour_fw_collector`` opens Collections > Collection Cases (the app's first menu), finds the case of the
    hand-worked lease assigned to them, and logs a visit at which the lessee promised 1,500.00 in
    a week. The log, the promise and the case's stage are checked here.

    The browser is a phone's: 390 px wide, with a touch screen, as the collectors use Odoo in the
    field (the web client then renders its mobile layout)."""

    USER_PREFIX = "tourfw"
    browser_size = "390x844"
    touch_enabled = True
    AMOUNT = 1500.0

    def test_collector_logs_a_visit_with_a_promise(self):
        collector = new_test_user(self.env, "tour_fw_collector", groups=COLLECTOR, company_id=self.company.id)
        contract = self._lease()
        self._invoice("2026-03-25")
        # What the dispatch sets (the system's fields): the case is the collector's.
        case = (
            self.env["leasing.collection.case"]
            .sudo()
            .create({"contract_id": contract.id, "collector_id": collector.id})
        )
        # The browser runs on today's clock: a promise for a week from today.
        promised = fields.Date.context_today(collector) + timedelta(days=7)
        query = urlencode({"lessee": self.lessee.name, "date": promised.strftime("%m/%d/%Y"), "amount": "1500.00"})
        menu = self.env.ref("leasing_collections.menu_leasing_collections_root").child_id.sorted("sequence")[:1]
        self.assertEqual(menu.action, self.env.ref(CASES_ACTION), "the cases are the app's first menu")
        self.start_tour(
            f"/odoo/action-{CASES_ACTION}?{query}", "leasing_collections_fieldwork_tour", login=collector.login
        )

        self.env.invalidate_all()
        log = self.env["leasing.collection.log"].search([("case_id", "=", case.id)])
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": collector.id,
                    "channel": "visit",
                    "result": "promised",
                    "promise_date": promised,
                    "promise_amount": self.AMOUNT,
                    "notes": "Met the owner at the depot: pays after the client's transfer.",
                }
            ],
        )
        self.assertRecordValues(
            log.promise_ids,
            [
                {
                    "case_id": case.id,
                    "user_id": collector.id,
                    "date": promised,
                    "amount": self.AMOUNT,
                    "state": "open",
                    "made_date": fields.Date.context_today(collector),
                }
            ],
        )
        self.assertRecordValues(
            case,
            [
                {
                    "stage_id": self.env.ref("leasing_collections.stage_promise").id,
                    "last_contact_result": "promised",
                    "last_contact_date": log.date,
                }
            ],
        )
