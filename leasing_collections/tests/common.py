from freezegun import freeze_time

from odoo import fields
from odoo.addons.leasing_management.tests.common_ledger import LeasingLedgerCommon

COLLECTOR = "leasing_collections.group_leasing_collector"
COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"


def give_cases(contracts, collector):
    """Give ``collector`` a collection case on each of ``contracts`` (the open one, or one opened
    as the close opens them): a collector reads the leases behind their cases only. Return the
    cases."""
    Case = contracts.env["leasing.collection.case"].sudo()
    Case._open_for_contracts(contracts, fields.Date.context_today(Case))
    cases = Case.search([("contract_id", "in", contracts.ids), ("is_closed", "=", False)])
    cases.write({"collector_id": collector.id})
    return cases


class CollectionsCommon(LeasingLedgerCommon):
    """Leases in the ledger for the collections close, on one hand-worked plan.

    Items 10,000.00, no down payment, 12 % a year, monthly (r = 0.01), 3 instalments in arrears
    from 2026-01-31. Level instalment 10,000 x 0.01 / (1 - 1.01 ** -3) = 3,400.2211 -> 3,400.22:

    ===  ==========  =========  ========  ========  ========
     #   due         principal  interest  amount    balance
    ===  ==========  =========  ========  ========  ========
     1   2026-02-28   3,300.22    100.00  3,400.22  6,699.78
     2   2026-03-31   3,333.22     67.00  3,400.22  3,366.56
     3   2026-04-30   3,366.56     33.67  3,400.23      0.00
    ===  ==========  =========  ========  ========  ========

    (66.9978 -> 67.00, 33.6656 -> 33.67; the last instalment takes the rest.) No taxes: each
    invoice is the instalment's amount. Penalty: 0.05 % a day, 3 grace days, cap 2 %.
    """

    USER_PREFIX = "collect"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Collections 3 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
                "penalty_rate_daily": 0.05,
                "penalty_grace_days": 3,
                "penalty_cap_pct": 2.0,
            }
        )
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 10000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Transportes Sierra", "is_company": True})
        cls.buckets = cls.env["leasing.aging.bucket"].search([("company_id", "=", cls.company.id)])
        cls.current, cls.b1_30, cls.b31_60, cls.b61_90, cls.b91_180, cls.over_180 = cls.buckets

    def _lease(self, **values):
        """An active lease to ``lessee`` (or ``values['partner_id']``) from 2026-01-31."""
        return self._activate_contract(self._lease_vals(**values), at="2026-01-31")

    def _invoice(self, at):
        """Invoice, on the day ``at``, every instalment due within the horizon."""
        with freeze_time(at):
            return self._run_invoicing_cron()

    def _installment_invoices(self, contract):
        return contract.schedule_line_ids.sorted("sequence").mapped("invoice_id")

    def _close(self, at, chunk_size=2):
        """The daily close of the test company on the day ``at``, call after call as Odoo's cron
        runner makes them, until a call closes nothing; return the day's run."""
        Contract = self.env["leasing.contract"]
        with freeze_time(at):
            while Contract._cron_collections_close(chunk_size=chunk_size, companies=self.company):
                pass
        return self._run(at)

    def _run(self, at, origin="daily"):
        run = self.env["leasing.close.run"].search(
            [("company_id", "=", self.company.id), ("date", "=", at), ("origin", "=", origin)],
            order="id desc",
            limit=1,
        )
        # Its figures are the sums of its chunks, read again.
        run.invalidate_recordset()
        return run

    def _figures(self, contracts):
        """Everything the close sets on ``contracts``, their lines and their history, to compare
        two closes."""
        contracts.invalidate_recordset()
        lines = contracts.schedule_line_ids.sorted(lambda line: (line.contract_id.id, line.sequence))
        history = self.env["leasing.aging.history"].search([("contract_id", "in", contracts.ids)], order="id")
        return {
            "contracts": [
                (
                    contract.name,
                    contract.days_past_due,
                    contract.aging_bucket_id.name,
                    contract.amount_in_arrears,
                    contract.penalty_accrued,
                    contract.penalty_due,
                    contract.close_date,
                )
                for contract in contracts.sorted("id")
            ],
            "lines": [
                (line.contract_id.name, line.sequence, line.days_past_due, line.penalty_accrued, line.penalty_due)
                for line in lines
            ],
            "history": [
                (
                    row.contract_id.name,
                    row.date,
                    row.bucket_before_id.name,
                    row.bucket_after_id.name,
                    row.days_past_due,
                    row.amount_overdue,
                )
                for row in history
            ],
        }
