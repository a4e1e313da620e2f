from odoo import api, fields, models
from odoo.exceptions import AccessError

# The links only the system sets (a receipt marked as the repossession of a request is what
# makes the request done when it is validated): refused on create and write to anybody else.
LEASING_PICKING_LINKS = ("leasing_collection_request_id", "leasing_unit_request_id", "leasing_return_line_id")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    leasing_collection_request_id = fields.Many2one(
        "leasing.collection.request",
        string="Repossession Request",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The approved repossession this receipt brings the units back for.",
    )
    leasing_unit_request_id = fields.Many2one(
        "leasing.unit.request",
        string="Unit Request",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The branch's request for a unit this transfer or receipt fulfils.",
    )
    leasing_return_line_id = fields.Many2one(
        "leasing.contract.line",
        string="Returned Lease Item",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The discontinued lease item whose unit this receipt takes back.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._leasing_check_links(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._leasing_check_links([vals])
        return super().write(vals)

    def _leasing_check_links(self, vals_list):
        if self.env.su or not any(name in vals for vals in vals_list for name in LEASING_PICKING_LINKS):
            return
        raise AccessError(
            self.env._(
                "The links of a transfer to a repossession, a unit request or a returned item are set by the system."
            )
        )

    def _action_done(self):
        result = super()._action_done()
        done = self.filtered(lambda picking: picking.state == "done")
        requests = done.leasing_collection_request_id.filtered(lambda request: request.state == "approved")
        finished = requests.filtered(
            lambda request: all(picking.state in ("done", "cancel") for picking in request.sudo().leasing_picking_ids)
        )
        if finished:
            # The units are back: the repossession is carried out. The warehouse validating the
            # receipt may not edit collection requests; the request's completion is the system's
            # consequence of the receipt it made, checked above (approved, every receipt done).
            finished.sudo()._action_done()
        return result

    @api.model
    def _leasing_create_for_units(self, vals, lots):
        """A transfer of the serial-numbered ``lots`` with ``vals`` (type, locations, partner,
        origin, link): one move per product, confirmed, with exactly these units on its lines.
        Return the picking."""
        picking = self.create(
            dict(
                vals,
                move_ids=[
                    fields.Command.create(
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": len(product_lots),
                            "location_id": vals["location_id"],
                            "location_dest_id": vals["location_dest_id"],
                        }
                    )
                    for product, product_lots in lots.grouped("product_id").items()
                ],
            )
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.lot_ids = lots.filtered(lambda lot, product=move.product_id: lot.product_id == product)
        return picking
