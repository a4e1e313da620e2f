from odoo import fields, models

# Accounts a company needs for leasing: (company field, start code, account type, reconcilable).
LEASING_ACCOUNTS = (
    ("leasing_receivable_account_id", "1450", "asset_current", False),
    ("leasing_clearing_account_id", "1460", "asset_current", True),
    ("leasing_deposit_account_id", "2450", "liability_current", False),
    ("leasing_interest_account_id", "4450", "income", False),
    ("leasing_fee_account_id", "4460", "income", False),
    ("leasing_commission_account_id", "6450", "expense", False),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    leasing_journal_id = fields.Many2one(
        "account.journal",
        string="Lease Invoices Journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', id)]",
        help="Sales journal of the instalment, up-front and settlement invoices.",
    )
    leasing_general_journal_id = fields.Many2one(
        "account.journal",
        string="Lease Entries Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the commencement entries of direct leases.",
    )
    leasing_purchase_journal_id = fields.Many2one(
        "account.journal",
        string="Leaseback Bills Journal",
        domain="[('type', '=', 'purchase'), ('company_id', '=', id)]",
        help="Purchase journal of the bills for assets bought from lessees (sale and leaseback).",
    )
    leasing_receivable_account_id = fields.Many2one(
        "account.account", string="Lease Receivable Account", help="Net investment in leases."
    )
    leasing_clearing_account_id = fields.Many2one(
        "account.account",
        string="Leased Assets Clearing Account",
        help="Credited with the amount financed when a direct lease starts; cleared by the supplier's bill.",
    )
    leasing_deposit_account_id = fields.Many2one(
        "account.account", string="Deposits Held Account", help="Liability for the security deposits received."
    )
    leasing_interest_account_id = fields.Many2one("account.account", string="Lease Interest Income Account")
    leasing_fee_account_id = fields.Many2one("account.account", string="Lease Fee Income Account")
    leasing_commission_account_id = fields.Many2one(
        "account.account",
        string="Lease Commissions Expense Account",
        help="Expense of the commissions earned by dealers, agents and brokers on leases.",
    )
    leasing_invoice_horizon_days = fields.Integer(
        string="Invoice Instalments Ahead (days)",
        default=10,
        help="The daily invoicing invoices the instalments that fall due within this many days.",
    )

    def _leasing_setup_accounting(self):
        """Give companies that have a chart of accounts working leasing defaults: the accounts,
        a sales journal for lease invoices, and the general and purchase journals they use.
        Existing settings are kept, so this can run again safely."""
        for company in self.filtered("chart_template"):
            company = company.with_company(company)
            Account = self.env["account.account"].with_company(company)
            code_length = company._leasing_account_code_length()
            vals = {}
            names = company._leasing_account_names()
            for field_name, start, account_type, reconcile in LEASING_ACCOUNTS:
                if company[field_name]:
                    continue
                code = Account._search_new_account_code(start.ljust(code_length, "0"), cache={})
                vals[field_name] = Account.create(
                    {
                        "name": names[field_name],
                        "code": code,
                        "account_type": account_type,
                        "reconcile": reconcile,
                        "company_ids": [fields.Command.set(company.ids)],
                    }
                ).id
            Journal = self.env["account.journal"].with_company(company)
            journal_domain = Journal._check_company_domain(company)
            if not company.leasing_journal_id:
                vals["leasing_journal_id"] = Journal.create(
                    {
                        "name": self.env._("Lease Invoices"),
                        "code": company._leasing_free_journal_code("LEAS"),
                        "type": "sale",
                        "company_id": company.id,
                    }
                ).id
            if not company.leasing_general_journal_id:
                vals["leasing_general_journal_id"] = Journal.search(
                    journal_domain + [("type", "=", "general")], limit=1
                ).id
            if not company.leasing_purchase_journal_id:
                vals["leasing_purchase_journal_id"] = Journal.search(
                    journal_domain + [("type", "=", "purchase")], limit=1
                ).id
            if vals:
                company.write(vals)

    def _leasing_account_names(self):
        return {
            "leasing_receivable_account_id": self.env._("Lease Receivable (Net Investment)"),
            "leasing_clearing_account_id": self.env._("Leased Assets Clearing"),
            "leasing_deposit_account_id": self.env._("Lease Deposits Held"),
            "leasing_interest_account_id": self.env._("Lease Interest Income"),
            "leasing_fee_account_id": self.env._("Lease Fee Income"),
            "leasing_commission_account_id": self.env._("Lease Commissions"),
        }

    def _leasing_account_code_length(self):
        self.ensure_one()
        account = (
            self.env["account.account"]
            .with_company(self)
            .search(
                [*self.env["account.account"]._check_company_domain(self), ("account_type", "=", "income")], limit=1
            )
        )
        return len(account.code or "") if (account.code or "").isdigit() else 6

    def _leasing_free_journal_code(self, code):
        self.ensure_one()
        used = set(
            self.env["account.journal"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.id)])
            .mapped("code")
        )
        candidate, index = code, 1
        while candidate in used:
            candidate, index = f"{code[:4]}{index}", index + 1
        return candidate
