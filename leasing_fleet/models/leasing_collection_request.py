from markupsafe import Markup

from odoo import fields, models


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
