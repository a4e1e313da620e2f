from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestPartnerFigures(LeasingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_partner = cls.env["res.partner"].create({"name": "Southwind Farms", "is_company": True})

    def setUp(self):
        super().setUp()
        # Annuity of 1,000.00 with the company: principal 330.02 due 2024-02-29, 333.32 due
        # 2024-03-31 and 336.66 due 2024-04-30.
        self.contract_company = self._activate(self._create_contract())
        # Equal principal of 1,000.00 with the company's contact: 250.00 due 2024-02-29,
        # 2024-05-30, 2024-08-30 and 2024-11-30.
        self.contract_contact = self._activate(
            self._create_contract(
                partner_id=self.partner_contact.id,
                plan_id=self.plan_equal_principal.id,
                start_date=date(2023, 11, 30),
            )
        )
        # A draft counts as a contract but owes nothing yet; another lessee's contract is not ours.
        self.contract_draft = self._create_contract()
        self.contract_other = self._activate(self._create_contract(partner_id=self.other_partner.id))

    def _figures(self, partner):
        partner.invalidate_recordset(["leasing_contract_count", "leasing_outstanding_principal"])
        return partner.leasing_contract_count, partner.leasing_outstanding_principal

    def test_contract_count_includes_contacts(self):
        partners = self.partner | self.partner_contact | self.other_partner
        self.assertEqual(partners.mapped("leasing_contract_count"), [3, 3, 1])
        action = self.partner_contact.action_view_leasing_contracts()
        self.assertEqual(
            self.env["leasing.contract"].search(action["domain"]),
            self.contract_company | self.contract_contact | self.contract_draft,
        )

    def test_outstanding_principal_of_active_contracts_not_yet_due(self):
        with freeze_time("2024-03-15"):
            # 333.32 + 336.66 + 3 x 250.00
            self.assertEqual(self._figures(self.partner), (3, 1419.98))
            self.assertEqual(self._figures(self.partner_contact), (3, 1419.98))
            self.assertEqual(self._figures(self.other_partner), (1, 669.98))
            self.assertEqual(self.partner.leasing_currency_id, self.currency)
            self.contract_company.invalidate_recordset(["outstanding_principal"])
            self.assertEqual(self.contract_company.outstanding_principal, 669.98)
            self.contract_draft.invalidate_recordset(["outstanding_principal"])
            self.assertEqual(self.contract_draft.outstanding_principal, 0.0)

    def test_instalment_due_today_is_still_outstanding(self):
        with freeze_time("2024-03-31"):
            self.assertEqual(self._figures(self.partner)[1], 1419.98)
        with freeze_time("2024-04-01"):
            # 336.66 + 3 x 250.00
            self.assertEqual(self._figures(self.partner)[1], 1086.66)

    def test_before_start_and_after_end(self):
        with freeze_time("2023-01-01"):
            self.assertEqual(self._figures(self.partner)[1], 2000.0)
        with freeze_time("2024-12-01"):
            self.assertEqual(self._figures(self.partner)[1], 0.0)

    def test_closed_contract_no_longer_outstanding(self):
        with freeze_time("2024-05-01"):
            # Closed as the closing wizard would (this test has no ledger to pay the schedule in).
            self.contract_company._write_system({"state": "closed"})
            # Closed: nothing of it counts; 250.00 due 2024-05-30, 08-30 and 11-30 remain.
            self.assertEqual(self._figures(self.partner), (3, 750.0))
