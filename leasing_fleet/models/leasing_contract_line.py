from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class LeasingContractLine(models.Model):
    _inherit = "leasing.contract.line"

    # One line per unit: a lease of three excavators has three lines, each with its serial number.
    lot_id = fields.Many2one(
        "stock.lot",
        string="Unit",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('product_id', '=', product_id)]",
        help="The serial-numbered unit leased on this line.",
    )
    leasing_return_picking_ids = fields.One2many(
        "stock.picking", "leasing_return_line_id", string="Return Receipts", readonly=True
    )

    @api.constrains("lot_id", "product_id", "quantity")
    def _check_leasing_unit(self):
        for line in self.filtered("lot_id"):
            if line.product_id.tracking != "serial":
                raise ValidationError(
                    self.env._(
                        "%(product)s is not tracked by serial number: a lease item of it cannot name a unit. "
                        "Track the product by serial number, or leave the unit empty.",
                        product=line.product_id.display_name,
                    )
                )
            if line.lot_id.product_id != line.product_id:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s is a %(unit_product)s, not a %(product)s.",
                        unit=line.lot_id.name,
                        unit_product=line.lot_id.product_id.display_name,
                        product=line.product_id.display_name,
                    )
                )
            if float_compare(line.quantity, 1.0, precision_digits=6):
                raise ValidationError(
                    self.env._(
                        "A lease item with a unit (%(unit)s) is one unit: its quantity must be 1. Add a line per unit.",
                        unit=line.lot_id.name,
                    )
                )
        self._check_leasing_unit_free()

    def _check_leasing_unit_free(self):
        """No unit of these lines on two open leases (approved or active, item not discontinued):
        one grouped query for all of them."""
        lots = self.filtered(
            lambda line: line.lot_id and line.contract_id.state in ("approved", "active") and not line.discontinued
        ).lot_id
        if not lots:
            return
        # A unit leased elsewhere counts even on a lease (or company) this user cannot read.
        taken = self.sudo()._read_group(
            [
                ("lot_id", "in", lots.ids),
                ("contract_id.state", "in", ("approved", "active")),
                ("discontinued", "=", False),
            ],
            ["lot_id"],
            ["contract_id:array_agg"],
            having=[("__count", ">", 1)],
        )
        for lot, contract_ids in taken:
            contracts = self.env["leasing.contract"].sudo().browse(sorted(set(contract_ids)))
            raise ValidationError(
                self.env._(
                    "Unit %(unit)s cannot be on two open leases at once: %(contracts)s.",
                    unit=lot.sudo().name,
                    contracts=", ".join(contracts.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.lot_id._leasing_recompute_status()
        return lines

    def write(self, vals):
        before = self.lot_id if "lot_id" in vals else self.env["stock.lot"]
        newly_discontinued = (
            self.filtered(lambda line: not line.discontinued) if vals.get("discontinued") else self.browse()
        )
        result = super().write(vals)
        if {"lot_id", "discontinued"}.intersection(vals):
            (before | self.lot_id)._leasing_recompute_status()
        if newly_discontinued:
            newly_discontinued._leasing_create_return_receipts()
        return result

    def unlink(self):
        lots = self.lot_id
        result = super().unlink()
        lots._leasing_recompute_status()
        return result

    def _leasing_create_return_receipts(self):
        """A discontinued item whose unit is with the lessee comes back: a receipt from the lessee
        to the branch the unit left from. Receiving it makes the unit returned."""
        lines = self.filtered(lambda line: line.lot_id.leasing_status == "on_lease")
        for line in lines:
            contract = line.contract_id
            # Discontinuing is the accountants' decision, checked by its wizard; the receipt that
            # takes the unit back is its consequence in the warehouse, which they may not edit.
            warehouse = line.lot_id.sudo().leasing_warehouse_id or self.env["stock.warehouse"].sudo().search(
                [("company_id", "=", contract.company_id.id)], limit=1
            )
            partner = contract.partner_id.with_company(contract.company_id)
            picking = (
                self.env["stock.picking"]
                .sudo()
                .with_company(contract.company_id)
                ._leasing_create_for_units(
                    {
                        "picking_type_id": warehouse.in_type_id.id,
                        "location_id": partner.property_stock_customer.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                        "partner_id": contract.partner_id.id,
                        "origin": contract.name,
                        "leasing_return_line_id": line.id,
                    },
                    line.lot_id.sudo(),
                )
            )
            contract.message_post(
                body=self.env._(
                    "Unit %(unit)s discontinued: return receipt %(picking)s created.",
                    unit=line.lot_id.name,
                    picking=picking.name,
                )
            )
