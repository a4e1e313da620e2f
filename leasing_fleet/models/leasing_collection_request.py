from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .leasing_device_command import CONFIRMED_STATE, REQUESTED_STATE


class LeasingCollectionRequest(models.Model):
    _inherit = "leasing.collection.request"

    leasing_picking_ids = fields.One2many(
        "stock.picking",
        "leasing_collection_request_id",
        string="Repossession Receipts",
        readonly=True,
        groups="stock.group_stock_user",
    )
    leasing_picking_count = fields.Integer(compute="_compute_leasing_picking_count", string="Receipts")

    def _compute_leasing_picking_count(self):
        # A count only, shown to the collectors who may not read the stock: read as superuser.
        counts = dict(
            self.env["stock.picking"]
            .sudo()
            ._read_group(
                [("leasing_collection_request_id", "in", self.ids)], ["leasing_collection_request_id"], ["__count"]
            )
        )
        for request in self:
            request.leasing_picking_count = counts.get(request, 0)

    def action_leasing_view_pickings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repossession Receipts"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("leasing_collection_request_id", "=", self.id)],
        }

    def _execute_repossession(self):
        """Tow the lease's units back: a receipt from the lessee to the Repossessed location of
        the branch each unit left from. Validating it makes the units repossessed and the request
        done (``stock.picking._action_done``): return False, not done yet. A lease without a unit
        out on lease falls back to the to-do of leasing_collections."""
        self.ensure_one()
        # The approver (a collection manager, checked by action_approve) may have no access to
        # the stock: the units of the lease are read as superuser to act on them.
        lines = self.contract_id.sudo().line_ids.filtered(lambda line: line.lot_id and not line.discontinued)
        lots = lines.lot_id.filtered(lambda lot: lot.leasing_status == "on_lease")
        if not lots:
            return super()._execute_repossession()
        pickings = self._leasing_create_repossession_receipts(lots)
        self.message_post(
            body=Markup("%s<ul>%s</ul>")
            % (
                self.env._("Repossession receipts created:"),
                Markup().join(Markup("<li>%s</li>") % picking.name for picking in pickings),
            )
        )
        return False

    def _leasing_create_repossession_receipts(self, lots):
        """One receipt per branch the units left from (the company's first branch for a unit
        whose branch is unknown)."""
        self.ensure_one()
        # The approver (a collection manager) may not create stock transfers: the receipts are
        # the system's consequence of the approval that was checked by action_approve.
        Picking = self.env["stock.picking"].sudo().with_company(self.company_id)
        default_warehouse = (
            self.env["stock.warehouse"].sudo().search([("company_id", "=", self.company_id.id)], limit=1)
        )
        partner = self.contract_id.partner_id
        pickings = Picking.browse()
        for warehouse, branch_lots in lots.grouped(lambda lot: lot.leasing_warehouse_id or default_warehouse).items():
            warehouse = warehouse.sudo()
            pickings |= Picking._leasing_create_for_units(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "location_id": partner.with_company(self.company_id).property_stock_customer.id,
                    "location_dest_id": warehouse.leasing_repossessed_location_id.id,
                    "partner_id": partner.id,
                    "origin": self.name,
                    "leasing_collection_request_id": self.id,
                },
                branch_lots,
            )
        return pickings.sudo(False)

    # ------------------------------------------------------------------
    # Device locks: approved lock and unlock requests send a command to each unit of the lease
    # ------------------------------------------------------------------
    device_command_ids = fields.One2many(
        "leasing.device.command", "request_id", string="Device Commands", readonly=True
    )
    device_command_count = fields.Integer(compute="_compute_device_command_count")

    @api.depends("device_command_ids")
    def _compute_device_command_count(self):
        counts = dict(
            self.env["leasing.device.command"]._read_group(
                [("request_id", "in", self.ids)], ["request_id"], ["__count"]
            )
        )
        for request in self:
            request.device_command_count = counts.get(request, 0)

    def action_view_device_commands(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_fleet.action_leasing_device_command")
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_done(self):
        """A lock or unlock done by hand: not while its device commands are under way (the
        devices confirm them); once they failed for good, the units are as the hand left them."""
        for request in self:
            under_way = request.device_command_ids.filtered(
                lambda command: command.status in ("queued", "sent") or command.next_attempt_date
            )
            if under_way:
                raise UserError(
                    self.env._(
                        "%(request)s waits for its device commands (%(commands)s): it is done when they are confirmed.",
                        request=request.name,
                        commands=", ".join(under_way.mapped("display_name")),
                    )
                )
        result = super().action_done()
        failed = self.device_command_ids.filtered(lambda command: command.status == "failed")
        for command_name, state in CONFIRMED_STATE.items():
            # The request was marked done by a Collection Manager (checked by super()); the units'
            # lock state is the system's.
            failed.filtered(lambda command, name=command_name: command.command == name).lot_id.sudo().write(
                {"lock_state": state}
            )
        return result

    def _execute_lock(self):
        """Lock every unit of the lease (on lease, unlocked): a command per unit through the
        company's device provider. The request is done when the devices confirm them all
        (``leasing.device.command._confirm``). Without units or without a provider, the unit is
        locked by hand (``super()``)."""
        self.ensure_one()
        units = self._leasing_device_units()
        provider = self.company_id.leasing_device_provider_id.filtered("active")
        if not units or not provider:
            return super()._execute_lock()
        not_on_lease = units.filtered(lambda unit: unit.leasing_status != "on_lease")
        if not_on_lease:
            raise UserError(
                self.env._(
                    "%(request)s cannot lock %(units)s: only a unit on lease is locked.",
                    request=self.name,
                    units=", ".join(not_on_lease.mapped("name")),
                )
            )
        not_unlocked = units.filtered(lambda unit: unit.lock_state != "unlocked")
        if not_unlocked:
            raise UserError(
                self.env._(
                    "%(request)s cannot lock %(units)s: the unit is already locked or its lock or unlock is under way.",
                    request=self.name,
                    units=", ".join(not_unlocked.mapped("name")),
                )
            )
        self._leasing_send_device_commands(units, "lock", provider)
        return False

    def _execute_unlock(self):
        """Unlock the lease's locked units: a command per unit, as ``_execute_lock``. Without a
        locked unit or a provider, the unit is unlocked by hand (``super()``)."""
        self.ensure_one()
        units = self._leasing_device_units()
        provider = self.company_id.leasing_device_provider_id.filtered("active")
        under_way = units.filtered(lambda unit: unit.lock_state in ("lock_requested", "unlock_requested"))
        if under_way:
            raise UserError(
                self.env._(
                    "%(request)s cannot unlock %(units)s yet: a lock or unlock command of the unit is under way.",
                    request=self.name,
                    units=", ".join(under_way.mapped("name")),
                )
            )
        locked = units.filtered(lambda unit: unit.lock_state == "locked")
        if not locked or not provider:
            return super()._execute_unlock()
        self._leasing_send_device_commands(locked, "unlock", provider)
        return False

    def _leasing_device_units(self):
        """The units leased on the request's lease (its lines not discontinued), locked until the
        end of the transaction and read again: two requests never command one unit at once."""
        self.ensure_one()
        # The units of the lease whoever approves (a collection manager need not read the stock).
        units = self.contract_id.sudo().line_ids.filtered(lambda line: not line.discontinued).lot_id
        if units:
            self.env.flush_all()
            self.env.cr.execute(
                SQL("SELECT id FROM stock_lot WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(units.ids))
            )
            units.invalidate_recordset(["lock_state", "leasing_status"])
        return units

    def _leasing_send_device_commands(self, units, command, provider):
        """A ``command`` for each of ``units`` through ``provider``; the units' lock requested."""
        self.ensure_one()
        # The request was approved by a user allowed to (the caller checked it); the commands and
        # the units' lock state are the system's.
        commands_sudo = (
            self.env["leasing.device.command"]
            .sudo()
            .create(
                [
                    {
                        "lot_id": unit.id,
                        "command": command,
                        "request_id": self.id,
                        "contract_id": self.contract_id.id,
                        "provider_id": provider.id,
                        "requested_by_id": self.env.uid,
                        "company_id": self.company_id.id,
                    }
                    for unit in units
                ]
            )
        )
        # The lock state is the system's field, set by the approved request.
        units.sudo().write({"lock_state": REQUESTED_STATE[command]})
        commands_sudo._send()
        self.message_post(
            body=self.env._(
                "%(count)s device commands sent through %(provider)s.", count=len(commands_sudo), provider=provider.name
            )
        )
        return commands_sudo
