from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

PROVIDER_TYPES = [("manual", "Manual"), ("webhook", "Webhook")]
# Bounds of a webhook call: a cron worker never waits on a device service longer than this.
MAX_TIMEOUT = 60
MAX_ATTEMPTS = 10
MAX_RETRY_INTERVAL = 1440
MANAGER_GROUPS = "leasing_collections.group_leasing_collection_manager,leasing_management.group_leasing_manager"


class LeasingDeviceProvider(models.Model):
    """How a company's lock and unlock commands reach the leased units.

    * ``manual``: a to-do for the provider's technician, who locks or unlocks the unit and
      confirms the command with a button;
    * ``webhook``: the command, signed with the provider's secret (HMAC-SHA256, see
      ``tools/device_signature.py``), is POSTed to the lock service's URL by a cron, within a
      timeout and a bounded number of attempts; the service confirms on
      ``/leasing/device/confirm`` with a reply signed with the same secret."""

    _name = "leasing.device.provider"
    _inherit = ["mail.thread"]
    _description = "Device Lock Provider"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    provider_type = fields.Selection(PROVIDER_TYPES, string="Type", required=True, default="manual", tracking=True)
    technician_id = fields.Many2one(
        "res.users",
        string="Technician",
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
        help="Manual: who locks and unlocks the units on a to-do, and confirms each command.",
    )
    url = fields.Char(string="URL", tracking=True, help="Webhook: where the signed commands are POSTed (https).")
    # Only those who configure the providers read the secret; the cron and the confirmation
    # route read it as the system.
    secret = fields.Char(
        groups=MANAGER_GROUPS,
        copy=False,
        help="Webhook: the shared secret the commands and the device's confirmations are signed with.",
    )
    timeout = fields.Integer(
        string="Timeout (seconds)", default=10, help=f"Webhook: how long one call may wait, 1 to {MAX_TIMEOUT} seconds."
    )
    max_attempts = fields.Integer(
        string="Attempts", default=3, help=f"Webhook: calls made for a command before it fails, 1 to {MAX_ATTEMPTS}."
    )
    retry_interval = fields.Integer(
        string="Retry Interval (minutes)",
        default=5,
        help=f"Webhook: the wait before a failed call is made again, 1 to {MAX_RETRY_INTERVAL} minutes.",
    )
    command_ids = fields.One2many("leasing.device.command", "provider_id", string="Commands", readonly=True)

    _sql_constraints = [
        (
            "timeout_bounded",
            f"CHECK(timeout BETWEEN 1 AND {MAX_TIMEOUT})",
            f"A webhook call waits 1 to {MAX_TIMEOUT} seconds.",
        ),
        (
            "max_attempts_bounded",
            f"CHECK(max_attempts BETWEEN 1 AND {MAX_ATTEMPTS})",
            f"A command is sent 1 to {MAX_ATTEMPTS} times.",
        ),
        (
            "retry_interval_bounded",
            f"CHECK(retry_interval BETWEEN 1 AND {MAX_RETRY_INTERVAL})",
            f"A failed call is made again after 1 to {MAX_RETRY_INTERVAL} minutes.",
        ),
    ]

    @api.constrains("provider_type", "technician_id", "url")
    def _check_configuration(self):
        for provider in self:
            if provider.provider_type == "manual" and not provider.technician_id:
                raise ValidationError(
                    self.env._("The manual provider %(provider)s needs a technician.", provider=provider.name)
                )
            if provider.provider_type == "webhook":
                parts = urlsplit(provider.url or "")
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise ValidationError(
                        self.env._(
                            "The webhook provider %(provider)s needs the http(s) URL its commands are sent to.",
                            provider=provider.name,
                        )
                    )

    @api.constrains("provider_type", "secret")
    def _check_secret(self):
        # The secret is read as the system: whoever saves the provider need not read it.
        for provider_sudo in self.sudo():
            if provider_sudo.provider_type == "webhook" and len(provider_sudo.secret or "") < 16:
                raise ValidationError(
                    self.env._(
                        "The webhook provider %(provider)s needs a secret of at least 16 characters to sign its "
                        "commands.",
                        provider=provider_sudo.name,
                    )
                )
