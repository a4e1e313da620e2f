from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import LeasingCommon
from .view_helpers import shows, view_arch


@tagged("post_install", "-at_install")
class TestScreens(LeasingCommon):
    """Screens checked on their views: what they show and how they are laid out."""

    REPORT = "leasing_management.action_report_leasing_contract"

    def test_settings_names_not_cut(self):
        """The journals and accounts settings span the whole width (at 1366 px a half-width
        setting cut names such as '145000 Lease Receivable (Net Investment)')."""
        arch = view_arch(self.env["res.config.settings"])
        for field_name in ("leasing_journal_id", "leasing_receivable_account_id", "leasing_commission_account_id"):
            with self.subTest(field=field_name):
                setting = arch.xpath(f"//setting[.//field[@name='{field_name}']]")[0]
                self.assertIn("col-lg-12", setting.get("class", "").split())

    # ------------------------------------------------------------------
    # Send by Email
    # ------------------------------------------------------------------
    def test_send_by_email(self):
        """The composer opens on the lease contract template: to the lessee, in their language,
        the contract PDF attached; sending posts it in the chatter."""
        self.partner.email = "accounts@northwind.example"
        contract = self._create_contract()
        template = self.env.ref("leasing_management.mail_template_leasing_contract")
        self.assertEqual(template.lang, "{{ object.partner_id.lang }}")
        self.assertEqual(template.report_template_ids, self.env.ref(self.REPORT))
        self.assertEqual(template._render_lang(contract.ids)[contract.id], self.partner.lang)

        action = contract.with_user(self.leasing_user).action_send_email()
        self.assertEqual((action["res_model"], action["target"]), ("mail.compose.message", "new"))
        composer = Form(self.env["mail.compose.message"].with_user(self.leasing_user).with_context(action["context"]))
        self.assertEqual(composer.template_id, template)
        self.assertIn(contract.name, composer.subject)
        self.assertIn("Lease Contract Proposal", composer.subject)
        self.assertIn(self.partner, composer.partner_ids[:])
        composer.save()._action_send_mail()
        message = contract.message_ids[0]
        self.assertEqual(message.partner_ids, self.partner)
        self.assertIn(contract.name, message.body)
        # The contract PDF (tests render reports as HTML: the extension says which).
        self.assertEqual(
            [name.rsplit(".", 1)[0] for name in message.attachment_ids.mapped("name")],
            [f"Lease Contract - {contract.name}"],
        )

        contract.action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            contract.action_send_email()
        button = view_arch(self.env["leasing.contract"]).xpath("//button[@name='action_send_email']")[0]
        self.assertFalse(shows(button, contract))

    # ------------------------------------------------------------------
    # Lease Approval activities
    # ------------------------------------------------------------------
    def _approval_activities(self, contract):
        activity_type = self.env.ref("leasing_management.mail_activity_type_lease_approval")
        return contract.activity_ids.filtered(lambda activity: activity.activity_type_id == activity_type)

    def test_approval_activity_for_the_other_managers(self):
        """Submitted by manager 1: every other Leasing Manager of the company gets a Lease
        Approval activity, not the submitter nor a plain Leasing User nor a manager of another
        company. Approving marks the approver's done and removes the others'."""
        other_company = self.env["res.company"].create({"name": "Leasing Elsewhere"})
        elsewhere = new_test_user(
            self.env,
            "lease_mgr_elsewhere",
            groups="leasing_management.group_leasing_manager",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        contract = self._create_contract()
        contract.with_user(self.manager_1).action_submit()
        assigned = self._approval_activities(contract).user_id
        self.assertIn(self.manager_2, assigned)
        self.assertNotIn(self.manager_1, assigned)
        self.assertNotIn(self.leasing_user, assigned)
        self.assertNotIn(elsewhere, assigned)
        managers = self.env.ref("leasing_management.group_leasing_manager").users
        self.assertEqual(
            assigned,
            managers.filtered(lambda u: u != self.manager_1 and self.env.company in u.company_ids and not u.share),
        )
        self.assertEqual(len(self._approval_activities(contract)), len(assigned), "one activity per manager")

        self._complete_review(contract)
        contract.with_user(self.manager_2).action_approve()
        self.assertFalse(self._approval_activities(contract))
        done = contract.message_ids.filtered(
            lambda message: message.mail_activity_type_id
            == self.env.ref("leasing_management.mail_activity_type_lease_approval")
        )
        self.assertEqual(done.author_id, self.manager_2.partner_id)

    def test_approval_activity_removed_when_sent_back_or_cancelled(self):
        for action in ("action_draft", "action_cancel"):
            with self.subTest(action=action):
                contract = self._create_contract()
                contract.with_user(self.leasing_user).action_submit()
                self.assertIn(self.manager_1, self._approval_activities(contract).user_id)
                getattr(contract.with_user(self.leasing_user), action)()
                self.assertFalse(self._approval_activities(contract))

    # ------------------------------------------------------------------
    # Credit reviews
    # ------------------------------------------------------------------
    def test_credit_reviews_as_kanban_pivot_and_graph(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_credit_review")
        modes = action["view_mode"].split(",")
        for view_type in ("kanban", "pivot", "graph"):
            with self.subTest(view_type=view_type):
                self.assertIn(view_type, modes)
                arch = view_arch(self.env["leasing.credit.review"].with_user(self.leasing_user), view_type)
                self.assertEqual(arch.tag, view_type)
        review = self._complete_review(self._create_contract())
        groups = self.env["leasing.credit.review"].read_group(
            [("id", "=", review.id)], ["risk_score:avg"], ["risk_level", "recommendation"], lazy=False
        )
        self.assertEqual(
            [(g["risk_level"], g["recommendation"], g["risk_score"]) for g in groups],
            [("low", "approve", review.risk_score)],
        )

    def test_approve_button_not_offered_to_the_submitter(self):
        """The submitter may not approve their own lease: the screen does not offer them the
        button (clicking it only gave an error); the other manager has it."""
        contract = self._create_contract()
        contract.with_user(self.manager_1).action_submit()
        self._complete_review(contract)
        for user, offered in ((self.manager_1, False), (self.manager_2, True)):
            with self.subTest(user=user.login):
                as_user = contract.with_user(user)
                button = view_arch(as_user).xpath("//button[@name='action_approve']")[0]
                self.assertEqual(shows(button, as_user), offered)
