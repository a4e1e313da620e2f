from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    leasing_contract_ids = fields.One2many(
        "leasing.contract", "partner_id", string="Lease Contracts", groups="leasing_management.group_leasing_reader"
    )
    leasing_contract_count = fields.Integer(
        string="Lease Contracts Count",
        compute="_compute_leasing_figures",
        groups="leasing_management.group_leasing_reader",
    )
    leasing_outstanding_principal = fields.Monetary(
        string="Outstanding Principal",
        compute="_compute_leasing_figures",
        currency_field="leasing_currency_id",
        groups="leasing_management.group_leasing_reader",
        help="Principal of the active lease contracts that has not yet fallen due, in the company's currency.",
    )
    leasing_currency_id = fields.Many2one(
        "res.currency", compute="_compute_leasing_figures", groups="leasing_management.group_leasing_reader"
    )
    leasing_amount_due = fields.Monetary(
        string="Lease Amount Due",
        compute="_compute_leasing_ledger",
        currency_field="leasing_currency_id",
        groups="leasing_management.group_leasing_reader",
        help="Unpaid amount of the posted invoices of the lessee's leases, in the company's currency.",
    )
    leasing_amount_overdue = fields.Monetary(
        string="Lease Amount Overdue",
        compute="_compute_leasing_ledger",
        currency_field="leasing_currency_id",
        groups="leasing_management.group_leasing_reader",
        help="Unpaid amount of those invoices past their due date.",
    )
    leasing_customer_balance = fields.Monetary(
        string="Customer Balance",
        compute="_compute_leasing_ledger",
        currency_field="leasing_currency_id",
        groups="leasing_management.group_leasing_reader",
        help="Payments of the lessee not yet allocated to any invoice: they settle the next instalments.",
    )
    leasing_deposit_held = fields.Monetary(
        string="Deposits Held",
        compute="_compute_leasing_ledger",
        currency_field="leasing_currency_id",
        groups="leasing_management.group_leasing_reader",
        help="Security deposits of the lessee's leases held in the deposits-held accounts.",
    )
    leasing_commission_count = fields.Integer(
        string="Lease Commissions Count",
        compute="_compute_leasing_commission_count",
        groups="leasing_management.group_leasing_user",
    )

    def _compute_leasing_figures(self):
        """Counts and sums for the smart buttons, with two grouped reads for all partners
        (contacts of a company count with it)."""
        today = fields.Date.context_today(self)
        all_partners = self.with_context(active_test=False).search([("id", "child_of", self.commercial_partner_id.ids)])
        counts = self.env["leasing.contract"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        principals = self.env["leasing.schedule.line"]._read_group(
            [
                ("contract_id.partner_id", "in", all_partners.ids),
                ("contract_id.state", "=", "active"),
                ("due_date", ">=", today),
                ("cancelled", "=", False),
            ],
            ["contract_id"],
            ["principal:sum"],
        )
        count_by_partner, principal_by_partner = {}, {}
        for partner, count in counts:
            commercial = partner.commercial_partner_id
            count_by_partner[commercial] = count_by_partner.get(commercial, 0) + count
        for contract, principal in principals:
            commercial = contract.partner_id.commercial_partner_id
            # Contracts of another currency are converted at today's rate for this summary.
            amount = contract.currency_id._convert(principal, self.env.company.currency_id, contract.company_id, today)
            principal_by_partner[commercial] = principal_by_partner.get(commercial, 0.0) + amount
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.leasing_contract_count = count_by_partner.get(commercial, 0)
            partner.leasing_outstanding_principal = principal_by_partner.get(commercial, 0.0)
            partner.leasing_currency_id = self.env.company.currency_id

    def _compute_leasing_ledger(self):
        """The lessee's figures are the sums of their leases' (computed for all the leases at
        once), converted to the current company's currency; the customer balance belongs to the
        lessee, not to each lease, so it is counted once per company."""
        today = fields.Date.context_today(self)
        company_currency = self.env.company.currency_id
        contracts = self.env["leasing.contract"].search(
            [("partner_id", "child_of", self.commercial_partner_id.ids), ("state", "in", ("active", "closed"))]
        )
        totals = {}
        balances = {}
        for contract in contracts:
            partner = contract.partner_id.commercial_partner_id
            figures = totals.setdefault(partner, {"due": 0.0, "overdue": 0.0, "deposit": 0.0})
            for key, amount in (
                ("due", contract.amount_due),
                ("overdue", contract.amount_overdue),
                ("deposit", contract.deposit_held),
            ):
                figures[key] += contract.currency_id._convert(amount, company_currency, contract.company_id, today)
            # The lessee's balance, in this contract's currency: converted once, like the rest.
            balances[(partner, contract.company_id)] = contract.currency_id._convert(
                contract.customer_balance, company_currency, contract.company_id, today
            )
        for partner in self:
            commercial = partner.commercial_partner_id
            figures = totals.get(commercial, {})
            partner.leasing_amount_due = company_currency.round(figures.get("due", 0.0))
            partner.leasing_amount_overdue = company_currency.round(figures.get("overdue", 0.0))
            partner.leasing_deposit_held = company_currency.round(figures.get("deposit", 0.0))
            partner.leasing_customer_balance = company_currency.round(
                sum(amount for (owner, _company), amount in balances.items() if owner == commercial)
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

    def action_view_leasing_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_contract")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_leasing_commissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_commission")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action
