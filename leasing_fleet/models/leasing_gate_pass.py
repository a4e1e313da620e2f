import secrets
from urllib.parse import quote, urlencode

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

GATE_PASS_STATES = [
    ("valid", "Valid"),
    ("used", "Used"),
    ("revoked", "Revoked"),
]
WAREHOUSE = "leasing_fleet.group_leasing_warehouse"


class LeasingGatePass(models.Model):
    """The gate pass (出门条) of an approved dispatch request: printed with a QR code that opens
    its verification page, where the gate keeper confirms the units' exit."""

    _name = "leasing.gate.pass"
    _description = "Gate Pass"
    _inherit = ["mail.thread", "leasing.system.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number", required=True, copy=False, readonly=True, default=lambda self: self.env._("New")
    )
    request_id = fields.Many2one(
        "leasing.dispatch.request",
        string="Dispatch Request",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    contract_id = fields.Many2one(related="request_id.contract_id", store=True, index=True)
    partner_id = fields.Many2one(related="request_id.partner_id", string="Lessee", store=True)
    warehouse_id = fields.Many2one(related="request_id.warehouse_id", string="Branch", store=True)
    picking_id = fields.Many2one(related="request_id.picking_id", string="Delivery", store=True, index="btree_not_null")
    lot_ids = fields.Many2many(related="request_id.lot_ids", string="Units")
    driver_name = fields.Char(related="request_id.driver_name")
    carrier = fields.Char(related="request_id.carrier")
    vehicle_plate = fields.Char(related="request_id.vehicle_plate")
    token = fields.Char(readonly=True, copy=False, index=True, groups=WAREHOUSE)
    state = fields.Selection(GATE_PASS_STATES, default="valid", required=True, readonly=True, tracking=True, index=True)
    print_count = fields.Integer(readonly=True, copy=False, help="How many times it was printed: reprints say COPY.")
    used_by_id = fields.Many2one("res.users", string="Exit Confirmed by", readonly=True, copy=False)
    used_date = fields.Datetime(string="Exit Confirmed on", readonly=True, copy=False)
    revoked_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    revoked_date = fields.Datetime(readonly=True, copy=False)
    verification_url = fields.Char(compute="_compute_verification_url", groups=WAREHOUSE)

    _sql_constraints = [
        ("token_uniq", "unique(token)", "A gate pass token is unique."),
        ("name_company_uniq", "unique(name, company_id)", "A gate pass number is unique per company."),
    ]

    def init(self):
        # One gate pass in force per request: a new one only once the previous is revoked.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS leasing_gate_pass_request_in_force_uniq
                   ON leasing_gate_pass (request_id) WHERE state != 'revoked'"""
        )

    def _compute_verification_url(self):
        for gate_pass in self:
            gate_pass.verification_url = (
                f"{gate_pass.get_base_url()}/leasing/gate-pass/{quote(gate_pass.token)}" if gate_pass.token else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        self = self._without_system_defaults()
        requests = self.env["leasing.dispatch.request"].browse([vals.get("request_id") for vals in vals_list])
        requests._check_gate_pass_rights()
        for request in requests:
            if request.state == "refused":
                raise UserError(
                    self.env._(
                        "%(request)s was refused: a refused dispatch request gets no gate pass.", request=request.name
                    )
                )
            if request.state != "approved":
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: a gate pass is printed for an approved dispatch request only.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )
        for vals, request in zip(vals_list, requests, strict=True):
            vals["name"] = self.env["ir.sequence"].with_company(request.company_id).next_by_code(
                "leasing.gate.pass"
            ) or self.env._("New")
            # What the QR code carries: unguessable, so the page it opens shows only this pass.
            vals["token"] = secrets.token_urlsafe(32)
        # The pass's number and token are the system's: written as superuser after the checks above.
        return super(LeasingGatePass, self.sudo()).create(vals_list).sudo(False)

    def write(self, vals):
        self._check_system_fields([vals])
        if not self.env.su and vals:
            raise UserError(self.env._("A gate pass is printed as it is: it changes only through its buttons."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise UserError(self.env._("A gate pass is kept once printed: revoke it instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print(self):
        return self.env.ref("leasing_fleet.action_report_leasing_gate_pass").report_action(self)

    def action_open_verification(self):
        self.ensure_one()
        self._check_keeper()
        # Read as superuser once _check_keeper (above) allowed this user: the token is the Warehouse group's.
        return {"type": "ir.actions.act_url", "url": f"/leasing/gate-pass/{quote(self.sudo().token)}", "target": "self"}

    def action_confirm_exit(self):
        """The gate keeper confirms the units went out: the pass is used, once."""
        self._check_keeper()
        self.check_access("read")
        # Two keepers scanning the same pass at once: the second waits, then finds it used.
        self.env.cr.execute("SELECT id FROM leasing_gate_pass WHERE id IN %s FOR UPDATE", [tuple(self.ids)])
        self.invalidate_recordset(["state", "used_by_id", "used_date"])
        for gate_pass in self:
            if gate_pass.state == "used":
                raise UserError(
                    self.env._(
                        "%(gate_pass)s was already used: the exit was confirmed by %(user)s on %(date)s.",
                        gate_pass=gate_pass.name,
                        user=gate_pass.used_by_id.name,
                        date=fields.Datetime.to_string(gate_pass.used_date),
                    )
                )
            if gate_pass.state == "revoked" or gate_pass.request_id.state != "approved":
                raise UserError(
                    self.env._(
                        "%(gate_pass)s is not valid (revoked, or its dispatch request is no longer approved): "
                        "the units may not leave.",
                        gate_pass=gate_pass.name,
                    )
                )
        # Confirming the exit is the keeper's act, recorded as the system after the checks above.
        self.sudo().write({"state": "used", "used_by_id": self.env.uid, "used_date": fields.Datetime.now()})
        for gate_pass in self:
            # The pass's history, after the checks above (a keeper only reads passes).
            gate_pass.sudo().message_post(body=self.env._("Exit confirmed at the gate."))
        return True

    def action_revoke(self):
        self._check_keeper()
        self.check_access("read")
        for gate_pass in self:
            if gate_pass.state != "valid":
                raise UserError(
                    self.env._("%(gate_pass)s is not valid any more: it cannot be revoked.", gate_pass=gate_pass.name)
                )
        self._revoke()
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _check_keeper(self):
        if not self.env.user.has_group(WAREHOUSE):
            raise AccessError(self.env._("Only the warehouse confirms exits and revokes gate passes."))

    def _revoke(self):
        # Revoked by the action that checked the rights (the keeper's button, a cancelled request).
        self.sudo().write({"state": "revoked", "revoked_by_id": self.env.uid, "revoked_date": fields.Datetime.now()})

    def _qr_code_src(self):
        """The QR code image of the verification page, as Odoo's barcode route draws it."""
        self.ensure_one()
        # The token is what the printed pass carries: read for whoever prints it.
        url = self.sudo().verification_url
        return "/report/barcode/?" + urlencode(
            {"barcode_type": "QR", "value": url, "width": 200, "height": 200, "quiet": 0}
        )

    def _unit_vehicle(self, lot):
        """The ``fleet.vehicle`` of a unit, when the units' model links one (else empty)."""
        vehicle = lot["vehicle_id"] if "vehicle_id" in lot._fields else None
        return vehicle if vehicle and vehicle._name == "fleet.vehicle" else self.env["fleet.vehicle"]

    def _mark_printed(self):
        """Count a print of these passes; return {pass id: whether this print is a copy}."""
        copies = {gate_pass.id: gate_pass.print_count > 0 for gate_pass in self}
        for gate_pass in self:
            # The print counter is the system's, counted whoever prints.
            gate_pass.sudo().write({"print_count": gate_pass.print_count + 1})
        return copies
