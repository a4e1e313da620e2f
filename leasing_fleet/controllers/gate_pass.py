from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class GatePassController(http.Controller):
    """The page the QR code of a gate pass opens: anybody sees whether the pass is valid,
    used or revoked; a logged-in keeper (Warehouse group) sees its units and confirms the exit."""

    def _find(self, token):
        if not token or len(token) > 128:
            return request.env["leasing.gate.pass"]
        # The token is the secret the printed pass carries: looked up for a visitor who may not
        # be logged in; only the pass's status is shown to them.
        return request.env["leasing.gate.pass"].sudo().search([("token", "=", token)], limit=1)

    def _is_keeper(self):
        user = request.env.user
        return not user._is_public() and user.has_group("leasing_fleet.group_leasing_warehouse")

    def _render(self, gate_pass_sudo, error=None, status=200):
        keeper = self._is_keeper()
        values = {
            "gate_pass": gate_pass_sudo if keeper else None,
            "state": gate_pass_sudo.state,
            "state_label": dict(gate_pass_sudo._fields["state"]._description_selection(request.env))[
                gate_pass_sudo.state
            ],
            "request_valid": gate_pass_sudo.request_id.state == "approved",
            "keeper": keeper,
            "token": gate_pass_sudo.token,
            "error": error,
        }
        return request.render("leasing_fleet.gate_pass_verification_page", values, status=status)

    @http.route("/leasing/gate-pass/<string:token>", type="http", auth="public", methods=["GET"], sitemap=False)
    def gate_pass(self, token, **kwargs):
        gate_pass_sudo = self._find(token)
        if not gate_pass_sudo:
            return request.render("leasing_fleet.gate_pass_not_valid_page", {}, status=404)
        return self._render(gate_pass_sudo)

    @http.route("/leasing/gate-pass/<string:token>/exit", type="http", auth="user", methods=["POST"], sitemap=False)
    def confirm_exit(self, token, **kwargs):
        gate_pass_sudo = self._find(token)
        if not gate_pass_sudo:
            return request.render("leasing_fleet.gate_pass_not_valid_page", {}, status=404)
        # The keeper's own rights decide from here: the pass is read and used as them.
        user_env = request.env(context=dict(request.env.context, allowed_company_ids=request.env.user.company_ids.ids))
        gate_pass = user_env["leasing.gate.pass"].browse(gate_pass_sudo.id)
        try:
            gate_pass.action_confirm_exit()
        except (AccessError, UserError) as error:
            request.env.cr.rollback()
            gate_pass_sudo.invalidate_recordset()
            return self._render(gate_pass_sudo, error=str(error.args[0]), status=409)
        return request.redirect(f"/leasing/gate-pass/{token}", local=True)
