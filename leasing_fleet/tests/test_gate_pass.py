import io
import re
import shutil
from unittest import skipUnless

from PyPDF2 import PdfReader

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common_dispatch import DispatchCommon

REPORT = "leasing_fleet.report_leasing_gate_pass"


class GatePassCommon(DispatchCommon):
    def _approved_request(self):
        contract = self._lease()
        request = self._request(contract)
        request.action_submit()
        return request

    def _print(self, request, user=None):
        """Print ``request``'s gate pass as ``user`` (the keeper); return the pass."""
        request.with_user(user or self.keeper).action_print_gate_pass()
        return request.with_user(self.env.user).gate_pass_ids.filtered(lambda p: p.state != "revoked")


@tagged("post_install", "-at_install")
class TestGatePass(GatePassCommon):
    def test_print_creates_one_pass_with_an_unguessable_token(self):
        request = self._approved_request()
        action = request.with_user(self.keeper).action_print_gate_pass()
        self.assertEqual(action["report_name"], REPORT)
        gate_pass = request.with_user(self.env.user).gate_pass_ids
        self.assertEqual(len(gate_pass), 1)
        self.assertTrue(gate_pass.name.startswith("GP/"))
        self.assertEqual(gate_pass.state, "valid")
        self.assertGreaterEqual(len(gate_pass.token), 40)
        self.assertEqual(gate_pass.picking_id, request.picking_id)
        # A reprint prints the same pass.
        request.with_user(self.keeper).action_print_gate_pass()
        self.assertEqual(request.gate_pass_ids, gate_pass)
        # From the delivery, too.
        request.picking_id.with_user(self.keeper).action_print_leasing_gate_pass()
        self.assertEqual(request.gate_pass_ids, gate_pass)
        other = self._request(self._lease(lots=self._stock_lots("SN-EXC-007")))
        other.action_submit()
        self.assertNotEqual(self._print(other).token, gate_pass.token)

    def test_no_pass_for_a_request_not_approved(self):
        contract = self._lease(documents=False)
        request = self._request(contract)
        with self.assertRaisesRegex(UserError, "is Draft: a gate pass is printed for an approved"):
            request.with_user(self.keeper).action_print_gate_pass()
        with self.assertRaisesRegex(UserError, "is Draft"):
            self.env["leasing.gate.pass"].with_user(self.keeper).create({"request_id": request.id})
        self._give_reasons(request)
        request.action_submit()
        request.with_user(self.risk_approver).action_refuse("No.")
        with self.assertRaisesRegex(UserError, "refused dispatch request gets no gate pass"):
            self.env["leasing.gate.pass"].with_user(self.keeper).create({"request_id": request.id})

    def test_confirm_exit_once(self):
        request = self._approved_request()
        gate_pass = self._print(request)
        gate_pass.with_user(self.keeper).action_confirm_exit()
        self.assertEqual(gate_pass.state, "used")
        self.assertEqual(gate_pass.used_by_id, self.keeper)
        self.assertTrue(gate_pass.used_date)
        with self.assertRaisesRegex(UserError, "already used: the exit was confirmed by"):
            gate_pass.with_user(self.keeper).action_confirm_exit()
        self.assertEqual(gate_pass.used_by_id, self.keeper)

    def test_only_the_warehouse_confirms_and_nobody_writes(self):
        request = self._approved_request()
        gate_pass = self._print(request)
        with self.assertRaises(AccessError):
            gate_pass.with_user(self.seller).action_confirm_exit()
        with self.assertRaises(AccessError):
            gate_pass.with_user(self.keeper).write({"state": "used"})
        with self.assertRaises(AccessError):
            gate_pass.with_user(self.keeper).write({"token": "guess"})
        with self.assertRaises(UserError):
            gate_pass.with_user(self.keeper).write({"request_id": request.id})
        self.assertEqual(gate_pass.state, "valid")

    def test_revoked_pass(self):
        request = self._approved_request()
        gate_pass = self._print(request)
        gate_pass.with_user(self.keeper).action_revoke()
        with self.assertRaisesRegex(UserError, "is not valid"):
            gate_pass.with_user(self.keeper).action_confirm_exit()
        # A new pass replaces it; a cancelled request revokes its pass.
        new_pass = self._print(request)
        self.assertNotEqual(new_pass, gate_pass)
        request.action_cancel()
        self.assertEqual(new_pass.state, "revoked")

    @skipUnless(shutil.which("wkhtmltopdf"), "wkhtmltopdf is not installed")
    def test_pdf_original_then_copy(self):
        request = self._approved_request()
        request.write({"carrier": "Tajo Transportes"})
        gate_pass = self._print(request)
        report = self.env["ir.actions.report"].with_user(self.keeper).with_context(force_report_rendering=True)

        def text():
            content, report_type = report._render_qweb_pdf(REPORT, gate_pass.ids)
            self.assertEqual(report_type, "pdf")
            return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)

        first = text()
        for expected in ("SN-EXC-001", "SN-EXC-002", gate_pass.name, request.name, "Northwind Haulage", "Ana Ruiz"):
            self.assertIn(expected, first)
        self.assertIn("Original", first)
        self.assertNotIn("COPY", first)
        self.assertIn("Every condition met", first)
        second = text()
        self.assertIn("COPY", second)
        self.assertIn("SN-EXC-001", second)
        self.assertEqual(gate_pass.print_count, 2)

    def test_report_html_conditions_approvals_and_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["leasing_fleet"], ["es_ES"], overwrite=True)
        self.lessee.lang = "es_ES"
        contract = self._lease(documents=False)
        request = self._request(contract)
        self._give_reasons(request, "Licencia en trámite.")
        request.action_submit()
        request.with_user(self.risk_approver).action_approve("Garantía del administrador.")
        gate_pass = self._print(request)
        html = self.env["ir.actions.report"]._render_qweb_html(REPORT, gate_pass.ids)[0].decode()
        self.assertIn("Licencia en trámite.", html)
        self.assertIn("Garantía del administrador.", html)
        self.assertIn(self.risk_approver.name, html)
        self.assertIn("/report/barcode/?barcode_type=QR", html)
        self.assertIn(gate_pass.token, html)
        # In the lessee's language.
        self.assertIn("Pase de salida", html)


@tagged("post_install", "-at_install")
class TestGatePassPage(GatePassCommon, HttpCase):
    def _page(self, token):
        return self.url_open(f"/leasing/gate-pass/{token}")

    def test_verification_page_states(self):
        request = self._approved_request()
        gate_pass = self._print(request)
        # A visitor sees the validity only.
        response = self._page(gate_pass.token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_gate_pass_valid", response.text)
        self.assertNotIn("SN-EXC-001", response.text)
        self.assertNotIn("o_gate_pass_confirm_exit", response.text)
        # Unknown token: a plain "not valid", no detail.
        response = self._page("not-a-token")
        self.assertEqual(response.status_code, 404)
        self.assertIn("o_gate_pass_not_valid", response.text)
        self.assertNotIn("Northwind", response.text)
        gate_pass.with_user(self.keeper).action_confirm_exit()
        self.assertIn("o_gate_pass_used", self._page(gate_pass.token).text)
        other = self._request(self._lease(lots=self._stock_lots("SN-EXC-008")))
        other.action_submit()
        revoked = self._print(other)
        revoked.with_user(self.keeper).action_revoke()
        response = self._page(revoked.token)
        self.assertIn("o_gate_pass_revoked", response.text)
        self.assertNotIn("SN-EXC-008", response.text)

    def test_keeper_confirms_the_exit_on_the_page(self):
        request = self._approved_request()
        gate_pass = self._print(request)
        # A visitor cannot post the exit.
        response = self.url_open(f"/leasing/gate-pass/{gate_pass.token}/exit", data={}, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(gate_pass.state, "valid")
        self.authenticate("dispatch_keeper", "dispatch_keeper")
        page = self._page(gate_pass.token).text
        self.assertIn("SN-EXC-001", page)
        self.assertIn("o_gate_pass_confirm_exit", page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        # Without the CSRF token the post is refused.
        response = self.url_open(f"/leasing/gate-pass/{gate_pass.token}/exit", data={"x": "1"})
        self.assertEqual(response.status_code, 400)
        gate_pass.invalidate_recordset()
        self.assertEqual(gate_pass.state, "valid")
        response = self.url_open(f"/leasing/gate-pass/{gate_pass.token}/exit", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_gate_pass_used", response.text)
        gate_pass.invalidate_recordset()
        self.assertEqual(gate_pass.state, "used")
        self.assertEqual(gate_pass.used_by_id, self.keeper)
        # A second exit on the used pass is refused, with the reason.
        response = self.url_open(f"/leasing/gate-pass/{gate_pass.token}/exit", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 409)
        self.assertIn("already used", response.text)

    def test_gate_keeper_tour(self):
        """The keeper opens the approved request, its gate pass, the verification page, confirms
        the exit there, then validates the delivery (static/tests/tours/leasing_gate_keeper_tour.js)."""
        request = self._approved_request()
        self._print(request)
        self.keeper.groups_id |= self.env.ref("stock.group_stock_user")
        self.start_tour(
            f"/odoo/action-leasing_fleet.action_leasing_dispatch_request/{request.id}",
            "leasing_gate_keeper_tour",
            login="dispatch_keeper",
        )
        request = request.with_user(self.env.user)
        self.assertEqual(request.gate_pass_ids.state, "used")
        self.assertEqual(request.gate_pass_ids.used_by_id, self.keeper)
        self.assertEqual(request.picking_id.state, "done")
        self.assertEqual(request.state, "done")
