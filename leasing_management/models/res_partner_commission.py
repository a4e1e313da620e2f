from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    leasing_commission_count = fields.Integer(
        string="Lease Commissions Count",
        compute="_compute_leasing_commission_count",
        groups="leasing_management.group_leasing_user",
    )

    def _compute_leasing_commission_count(self):
        """Commissions earned as a dealer, agent or broker, with one grouped read for all the
        partners (contacts of a company count with it)."""
        all_partners = self.with_context(active_test=False).search([("id", "child_of", self.commercial_partner_id.ids)])
        counts = self.env["leasing.commission"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        count_by_partner = {}
        for partner, count in counts:
            commercial = partner.commercial_partner_id
            count_by_partner[commercial] = count_by_partner.get(commercial, 0) + count
        for partner in self:
            partner.leasing_commission_count = count_by_partner.get(partner.commercial_partner_id, 0)

    def action_view_leasing_commissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_commission")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action
