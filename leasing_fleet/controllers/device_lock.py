import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..tools.device_signature import SIGNATURE_HEADER, parse_reply, verify

_logger = logging.getLogger(__name__)

# A confirmation is a small JSON object: anything larger is refused unread.
MAX_BODY = 16 * 1024


class DeviceLockController(http.Controller):
    @http.route(
        "/leasing/device/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def device_confirm(self, **kwargs):
        """A lock service confirms (or reports the failure of) a command it was sent: the JSON
        body names the command, and is signed with its provider's secret (``X-Leasing-Signature``,
        see ``tools/device_signature.py``). A reply that is not signed by the command's provider
        gets 403 and changes nothing; so does one naming a command that does not exist (nothing
        tells the two apart)."""
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return request.make_json_response({"error": "too large"}, status=413)
        body = httprequest.get_data(cache=False)
        try:
            reply = parse_reply(body)
        except ValueError as error:
            return request.make_json_response({"error": str(error)}, status=400)
        # The caller is a device service, not a user: the signature with the provider's secret is
        # what authenticates it, checked below before anything is read or changed on its behalf;
        # what follows is then the system's doing (its messages are the system's).
        command_sudo = (
            request.env["leasing.device.command"].with_user(SUPERUSER_ID).browse(reply["command_id"]).exists()
        )
        provider_sudo = command_sudo.provider_id
        if (
            not command_sudo
            or provider_sudo.provider_type != "webhook"
            or not verify(provider_sudo.secret, body, httprequest.headers.get(SIGNATURE_HEADER))
        ):
            _logger.warning("Device confirmation refused: bad signature or unknown command %s", reply["command_id"])
            return request.make_json_response({"error": "forbidden"}, status=403)
        if reply["serial"] != command_sudo.lot_id.name or reply["command"] != command_sudo.command:
            return request.make_json_response({"error": "the reply does not match the command"}, status=409)
        command_sudo.with_company(command_sudo.company_id)._receive_reply(reply)
        return request.make_json_response({"command_id": command_sudo.id, "status": command_sudo.status})
