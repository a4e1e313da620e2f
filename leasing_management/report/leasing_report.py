from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.leasing_contract import STATES
from ..models.leasing_plan import LEASE_TYPES

# An overdue amount older than this many days is counted as uncollected.
UNCOLLECTED_AFTER_DAYS = 90
# Contract-level amounts shared among the contract's items, in proportion to their price.
APPORTIONED = (
    "down_payment",
    "deposit",
    "financed_amount",
    "collected",
    "outstanding",
    "overdue",
    "uncollected",
)


class LeasingReport(models.Model):
    """Leasing statistics: one row per leased item (contract line).

    The amounts of a contract (down payment, deposit, amount financed, what was collected, what is
    still owed, overdue or uncollected) are shared among its items in proportion to their price
    (subtotal / items price; equally when the items cost nothing). Each share is rounded to the
    currency and the contract's last item takes the remainder, so the items of a contract add up
    to the contract's own figures to the cent. Amounts are in the contract's currency."""

    _name = "leasing.report"
    _description = "Leasing Statistics"
    _auto = False
    _rec_name = "contract_id"
    _order = "signing_date desc, contract_id desc, id"
    # What the view reads: the ORM flushes these fields before querying it.
    _depends = {
        "leasing.contract": [
            "plan_id",
            "partner_id",
            "user_id",
            "company_id",
            "currency_id",
            "state",
            "lease_type",
            "signing_date",
            "down_payment",
            "deposit",
            "financed_amount",
        ],
        "leasing.contract.line": ["contract_id", "product_id", "sequence", "quantity", "price_subtotal"],
        "leasing.schedule.line": ["contract_id", "principal", "state", "cancelled", "amount_residual", "due_date"],
        "account.move": [
            "leasing_contract_id",
            "leasing_move_kind",
            "move_type",
            "state",
            "amount_total",
            "amount_residual",
        ],
        "res.currency": ["decimal_places"],
    }

    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    product_id = fields.Many2one("product.product", string="Item", readonly=True)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Lessee", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(STATES, string="Contract Status", readonly=True)
    lease_type = fields.Selection(LEASE_TYPES, readonly=True)
    signing_date = fields.Date(readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    price_subtotal = fields.Monetary(string="Items Price", readonly=True)
    down_payment = fields.Monetary(readonly=True, help="The item's share of the contract's down payment.")
    deposit = fields.Monetary(
        string="Deposits", readonly=True, help="The item's share of the contract's security deposit."
    )
    financed_amount = fields.Monetary(
        string="Amount Financed",
        readonly=True,
        help="The item's share of the amount financed: items price plus financed fees, less the down payment.",
    )
    collected = fields.Monetary(
        readonly=True,
        help="The item's share of what the lessee has paid on the contract's instalment invoices "
        "(posted invoices: total less amount due, taxes included).",
    )
    outstanding = fields.Monetary(
        readonly=True,
        help="The item's share of the principal not yet paid: principal of the schedule lines of active "
        "and closed contracts that are not fully paid (planned, invoiced, partially paid or overdue) "
        "and not cancelled.",
    )
    overdue = fields.Monetary(
        readonly=True,
        help="The item's share of the amount due (taxes included) on the contract's overdue schedule lines.",
    )
    uncollected = fields.Monetary(
        readonly=True,
        help="The item's share of the amount due on overdue schedule lines that fell due more than "
        "90 days ago (today by the database's clock): the part of the overdue amount unlikely to be collected.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        shares = SQL(", ").join(
            SQL(
                "ROUND(figures.%(field)s * items.weight, items.decimal_places) AS %(share)s, "
                "figures.%(field)s AS %(total)s",
                field=SQL.identifier(name),
                share=SQL.identifier(f"{name}_share"),
                total=SQL.identifier(f"{name}_total"),
            )
            for name in APPORTIONED
        )
        # The last item of each contract takes what the rounded shares of the others leave.
        measures = SQL(", ").join(
            SQL(
                "CASE WHEN shares.is_last THEN shares.%(total)s - SUM(shares.%(share)s) OVER contract "
                "+ shares.%(share)s ELSE shares.%(share)s END AS %(field)s",
                field=SQL.identifier(name),
                share=SQL.identifier(f"{name}_share"),
                total=SQL.identifier(f"{name}_total"),
            )
            for name in APPORTIONED
        )
        return SQL(
            """
            WITH collected AS (
                SELECT move.leasing_contract_id AS contract_id,
                       SUM(move.amount_total - move.amount_residual) AS collected
                  FROM account_move move
                 WHERE move.leasing_move_kind = 'installment'
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                 GROUP BY move.leasing_contract_id
            ),
            schedule AS (
                SELECT line.contract_id,
                       SUM(line.principal) FILTER (
                           WHERE line.state NOT IN ('paid', 'cancelled') AND NOT COALESCE(line.cancelled, FALSE)
                       ) AS outstanding,
                       SUM(line.amount_residual) FILTER (WHERE line.state = 'overdue') AS overdue,
                       SUM(line.amount_residual) FILTER (
                           WHERE line.state = 'overdue' AND line.due_date < CURRENT_DATE - %(days)s
                       ) AS uncollected
                  FROM leasing_schedule_line line
                 GROUP BY line.contract_id
            ),
            figures AS (
                SELECT contract.id AS contract_id,
                       COALESCE(contract.down_payment, 0) AS down_payment,
                       COALESCE(contract.deposit, 0) AS deposit,
                       COALESCE(contract.financed_amount, 0) AS financed_amount,
                       COALESCE(collected.collected, 0) AS collected,
                       CASE WHEN contract.state IN ('active', 'closed')
                            THEN COALESCE(schedule.outstanding, 0) ELSE 0 END AS outstanding,
                       COALESCE(schedule.overdue, 0) AS overdue,
                       COALESCE(schedule.uncollected, 0) AS uncollected
                  FROM leasing_contract contract
                  LEFT JOIN collected ON collected.contract_id = contract.id
                  LEFT JOIN schedule ON schedule.contract_id = contract.id
            ),
            items AS (
                SELECT item.id,
                       item.contract_id,
                       item.product_id,
                       item.quantity,
                       COALESCE(item.price_subtotal, 0) AS price_subtotal,
                       COALESCE(currency.decimal_places, 2) AS decimal_places,
                       CASE WHEN COALESCE(SUM(item.price_subtotal) OVER contract, 0) = 0
                            THEN 1.0 / COUNT(*) OVER contract
                            ELSE COALESCE(item.price_subtotal, 0) / SUM(item.price_subtotal) OVER contract
                       END AS weight,
                       ROW_NUMBER() OVER (
                           PARTITION BY item.contract_id ORDER BY item.sequence DESC, item.id DESC
                       ) = 1 AS is_last
                  FROM leasing_contract_line item
                  JOIN leasing_contract contract ON contract.id = item.contract_id
                  LEFT JOIN res_currency currency ON currency.id = contract.currency_id
                WINDOW contract AS (PARTITION BY item.contract_id)
            ),
            shares AS (
                SELECT items.*, %(shares)s
                  FROM items
                  JOIN figures ON figures.contract_id = items.contract_id
            )
            SELECT shares.id,
                   shares.contract_id,
                   shares.product_id,
                   contract.plan_id,
                   contract.partner_id,
                   contract.user_id,
                   contract.company_id,
                   contract.currency_id,
                   contract.state,
                   contract.lease_type,
                   contract.signing_date,
                   shares.quantity,
                   shares.price_subtotal,
                   %(measures)s
              FROM shares
              JOIN leasing_contract contract ON contract.id = shares.contract_id
            WINDOW contract AS (PARTITION BY shares.contract_id)
            """,
            days=UNCOLLECTED_AFTER_DAYS,
            shares=shares,
            measures=measures,
        )
