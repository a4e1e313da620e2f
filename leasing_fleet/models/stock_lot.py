from odoo import api, fields, models
from odoo.addons.leasing_management.models.leasing_system_fields_mixin import (
    check_system_fields,
    without_system_defaults,
)

# Where a leased unit stands (see the README): computed from its stock moves, its leases and the
# requests acting on it, except `abnormal`, which a warehouse keeper sets by hand with a reason.
LEASING_STATUSES = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("abnormal", "Abnormal"),
    ("purchase_transit", "Purchase in Transit"),
    ("transfer_transit", "Transfer in Transit"),
    ("relay_transit", "Relay in Transit"),
    ("on_lease", "On Lease"),
    ("repossessed", "Repossessed"),
    ("returned", "Returned"),
    ("sold", "Sold"),
]

# A unit's device lock (see leasing.device.command).
LOCK_STATES = [
    ("unlocked", "Unlocked"),
    ("lock_requested", "Lock Requested"),
    ("locked", "Locked"),
    ("unlock_requested", "Unlock Requested"),
]


class StockLot(models.Model):
    _inherit = "stock.lot"

    leasing_status = fields.Selection(
        LEASING_STATUSES, string="Unit Status", readonly=True, index=True, tracking=True, copy=False
    )
    leasing_contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The lease the unit is reserved for or leased on.",
    )

    # ------------------------------------------------------------------
    # Device locks
    # ------------------------------------------------------------------
    lock_state = fields.Selection(
        LOCK_STATES,
        string="Lock",
        required=True,
        readonly=True,
        default="unlocked",
        index=True,
        tracking=True,
        copy=False,
        help="The unit's device lock: requested when an approved lock or unlock request sent its command, locked "
        "or unlocked when the device (or the technician) confirmed it.",
    )
    device_command_ids = fields.One2many("leasing.device.command", "lot_id", string="Device Commands", readonly=True)
    device_command_count = fields.Integer(compute="_compute_device_command_count")

    def _compute_device_command_count(self):
        counts = dict(
            self.env["leasing.device.command"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.device_command_count = counts.get(lot, 0)

    # What only the system sets on a unit (its status, lease and lock) is refused to any other
    # caller (see leasing.system.fields.mixin).
    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        return super(StockLot, without_system_defaults(self)).create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals])
        return super().write(vals)

    def action_view_device_commands(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_fleet.action_leasing_device_command")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {}
        return action

    def _lock_state_label(self, state=None):
        return dict(self._fields["lock_state"]._description_selection(self.env))[state or self.lock_state]
