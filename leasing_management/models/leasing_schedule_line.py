from odoo import api, fields, models
from odoo.tools import SQL

# Columns written by _insert_rows, in the order of the engine's rows.
ROW_COLUMNS = (
    "contract_id",
    "company_id",
    "sequence",
    "line_type",
    "due_date",
    "principal",
    "interest",
    "amount",
    "balance",
)
# The figures the schedule engine computes; frozen once the contract is active.
FROZEN_FIELDS = frozenset(
    {"contract_id", "sequence", "line_type", "due_date", "principal", "interest", "amount", "balance"}
)


class LeasingScheduleLine(models.Model):
    _name = "leasing.schedule.line"
    _description = "Rent Schedule Line"
    _order = "contract_id, sequence, id"
    _rec_names_search = ["contract_id"]

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    # Computed rather than related: the ORM then rounds nothing more when the engine's
    # already-rounded amounts are inserted, which keeps bulk schedule creation fast.
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    contract_state = fields.Selection(related="contract_id.state", string="Contract Status")
    sequence = fields.Integer(string="#", required=True)
    line_type = fields.Selection(
        [("installment", "Instalment"), ("residual", "Residual Value")],
        string="Type",
        required=True,
        default="installment",
    )
    due_date = fields.Date(required=True, index=True)
    principal = fields.Monetary(aggregator="sum")
    interest = fields.Monetary(aggregator="sum")
    amount = fields.Monetary(aggregator="sum", help="Principal plus interest.")
    balance = fields.Monetary(string="Balance After", aggregator=None, help="Principal still owed after this line.")

    @api.depends("contract_id.currency_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.contract_id.currency_id

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.contract_id.name} #{line.sequence}"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["leasing.contract"].browse({v.get("contract_id") for v in vals_list})._check_schedule_open()
        return super().create(vals_list)

    def write(self, vals):
        if FROZEN_FIELDS.intersection(vals):
            self.contract_id._check_schedule_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen(self):
        self.contract_id._check_schedule_open()

    @api.model
    def _insert_rows(self, rows):
        """Insert the engine's ``rows`` (dicts holding every key of ROW_COLUMNS) in one statement.

        This is the schedule's hot path: ``create`` converts and caches every value of every line
        through the ORM (about a tenth of a millisecond a line), which is most of the cost of a
        contract of 60 instalments. The amounts are already rounded by the currency, so they go
        straight to the table; the ORM is then told what was created, so that the contracts'
        stored totals are recomputed, and record rules are checked on the new lines."""
        if not rows:
            return self.browse()
        self.check_access("create")
        columns = {name: [row[name] for row in rows] for name in ROW_COLUMNS}
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO leasing_schedule_line (
                    contract_id, company_id, sequence, line_type, due_date,
                    principal, interest, amount, balance,
                    create_uid, create_date, write_uid, write_date)
                SELECT u.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(contract)s::int[], %(company)s::int[], %(sequence)s::int[],
                              %(line_type)s::varchar[], %(due_date)s::date[],
                              %(principal)s::numeric[], %(interest)s::numeric[],
                              %(amount)s::numeric[], %(balance)s::numeric[]) AS u
                RETURNING id
                """,
                uid=self.env.uid,
                now=self.env.cr.now(),
                contract=columns["contract_id"],
                company=columns["company_id"],
                sequence=columns["sequence"],
                line_type=columns["line_type"],
                due_date=columns["due_date"],
                principal=columns["principal"],
                interest=columns["interest"],
                amount=columns["amount"],
                balance=columns["balance"],
            )
        )
        lines = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.env["leasing.contract"].browse(set(columns["contract_id"])).invalidate_recordset(["schedule_line_ids"])
        lines.modified(ROW_COLUMNS, create=True)
        lines.check_access("create")
        return lines
