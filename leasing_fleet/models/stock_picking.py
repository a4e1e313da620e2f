from odoo import fields, models
from odoo.exceptions import UserError

from .leasing_dispatch_request import LEASED_STATES


class StockPicking(models.Model):
    _inherit = "stock.picking"

    leasing_dispatch_request_id = fields.Many2one(
        "leasing.dispatch.request",
        string="Dispatch Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The approved dispatch request this delivery of leased units was created by.",
    )
    leasing_gate_pass_ids = fields.One2many("leasing.gate.pass", "picking_id", string="Gate Passes", readonly=True)

    def _action_done(self):
        self._check_leased_units_dispatch()
        result = super()._action_done()
        self.filtered(lambda p: p.state == "done").leasing_dispatch_request_id._mark_delivered()
        return result

    def action_print_leasing_gate_pass(self):
        self.ensure_one()
        return self.leasing_dispatch_request_id.action_print_gate_pass()

    def _check_leased_units_dispatch(self):
        """A delivery of leased units (a unit on a lease's line) leaves only on the approved
        dispatch request that created it, and carries only that request's units."""
        outgoing = self.filtered(lambda p: p.picking_type_code == "outgoing")
        lots = outgoing.move_line_ids.lot_id
        if not lots:
            return
        # Which units are leased, whoever validates: the warehouse may not read the leases' lines.
        lines = (
            self.env["leasing.contract.line"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("contract_id.state", "in", LEASED_STATES)])
        )
        leased = {line.lot_id.id: line.contract_id for line in lines}
        for picking in outgoing:
            picking_lots = picking.move_line_ids.filtered(lambda ml: ml.quantity).lot_id
            units = picking_lots.filtered(lambda lot: lot.id in leased)
            if not units:
                continue
            request = picking.leasing_dispatch_request_id
            if not request:
                raise UserError(
                    self.env._(
                        "%(delivery)s carries leased units (%(units)s of %(contracts)s) but no dispatch request: "
                        "it can be validated only as the delivery of an approved dispatch request. Ask the "
                        "lease's salesperson for one (Leased Units > Dispatch Requests).",
                        delivery=picking.name,
                        units=", ".join(units.mapped("name")),
                        contracts=", ".join(sorted({leased[lot.id].name for lot in units})),
                    )
                )
            request_sudo = request.sudo()  # its state, for a keeper who may not read the request
            if request_sudo.state != "approved":
                raise UserError(
                    self.env._(
                        "%(delivery)s can be validated only once its dispatch request %(request)s is approved "
                        "(it is %(state)s).",
                        delivery=picking.name,
                        request=request_sudo.name,
                        state=request_sudo._state_label(),
                    )
                )
            foreign = units - request_sudo.lot_ids
            if foreign:
                raise UserError(
                    self.env._(
                        "%(units)s are not on the dispatch request %(request)s of %(delivery)s: deliver them "
                        "on their own approved request.",
                        units=", ".join(foreign.mapped("name")),
                        request=request_sudo.name,
                        delivery=picking.name,
                    )
                )
