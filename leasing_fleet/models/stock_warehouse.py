from odoo import api, fields, models


class StockWarehouse(models.Model):
    """A branch. Each has a Repossessed location, where the units towed back from a lessee are
    received (created with the branch, and for the branches that exist when the addon is
    installed)."""

    _inherit = "stock.warehouse"

    leasing_repossessed_location_id = fields.Many2one(
        "stock.location",
        string="Repossessed Location",
        check_company=True,
        help="Where the branch receives the units repossessed from their lessees.",
    )

    def _get_locations_values(self, vals, code=False):
        values = super()._get_locations_values(vals, code=code)
        code = (vals.get("code") or code or "").replace(" ", "").upper()
        company_id = vals.get("company_id", self.default_get(["company_id"])["company_id"])
        values["leasing_repossessed_location_id"] = {
            "name": self.env._("Repossessed"),
            "active": True,
            "usage": "internal",
            "leasing_repossessed": True,
            "barcode": self._valid_barcode(code + "REPOSSESSED", company_id),
        }
        return values

    @api.model
    def _leasing_create_repossessed_locations(self):
        """The Repossessed location of every branch that has none (at installation)."""
        self.search([("leasing_repossessed_location_id", "=", False)])._create_missing_locations({})
