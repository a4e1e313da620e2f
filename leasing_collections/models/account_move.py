from odoo import api, fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Penalty billing
    # ------------------------------------------------------------------
    leasing_move_kind = fields.Selection(
        selection_add=[
            ("penalty", "Penalty Interest Invoice"),
            ("write_off", "Bad Debt Write-off"),
            ("recovery", "Bad Debt Recovery"),
            ("legal_costs", "Legal Costs Invoice"),
        ],
        ondelete={"penalty": "set null", "write_off": "set null", "recovery": "set null", "legal_costs": "set null"},
    )
    leasing_penalty_date = fields.Date(
        string="Penalty Interest To",
        readonly=True,
        copy=False,
        help="The penalty interest this invoice bills runs to this date.",
    )

    # ------------------------------------------------------------------
    # Legal costs billed to the lessee
    # ------------------------------------------------------------------
    leasing_legal_action_id = fields.Many2one(
        "leasing.legal.action", string="Legal File", index="btree_not_null", readonly=True, copy=False
    )

    def init(self):
        result = super().init()
        # One penalty invoice a lease a day: the last guard against billing the same days twice,
        # even from two transactions at once (the billing locks the lease and reads the ledger first).
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_leasing_penalty_uniq
                    ON account_move (leasing_contract_id, leasing_penalty_date)
                 WHERE leasing_move_kind = 'penalty' AND move_type = 'out_invoice'
                   AND state != 'cancel' AND payment_state != 'reversed'
                """
            )
        )
        # The invoices that bill penalty interest (penalty and payoff invoices) of a lease, by
        # the date they bill it to: the close's check of when each lease was last billed.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS account_move_leasing_penalty_date_idx
                    ON account_move (leasing_contract_id, leasing_penalty_date)
                 WHERE leasing_penalty_date IS NOT NULL
                """
            )
        )
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A lessee's unallocated payments settle their new penalty invoices at once, as they do
        # the instalments' (in the company's payment order).
        penalties = posted.filtered(lambda m: m.leasing_move_kind == "penalty" and m.move_type == "out_invoice")
        if penalties:
            penalties.leasing_contract_id._allocate_payments()
        return posted

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note of a penalty (or payoff) invoice credits the penalty of the same
        instalments: its lines keep their link to them, so the penalty reversed is due again."""
        reverses = super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
        links = []
        for move, reverse in zip(self, reverses):
            originals = move.invoice_line_ids.sorted(lambda line: (line.sequence, line.id))
            copies = reverse.invoice_line_ids.sorted(lambda line: (line.sequence, line.id))
            if len(originals) != len(copies):
                continue
            links += [
                (copy, original.leasing_penalty_line_id)
                for original, copy in zip(originals, copies)
                if original.leasing_penalty_line_id
            ]
        for copy, schedule_line in links:
            # The ledger's own link, copied from the invoice reversed: not the user's to set.
            copy.sudo().leasing_penalty_line_id = schedule_line
        # A credit note of a legal costs invoice is the legal file's too: what it credits may be
        # billed again. The ledger's own link, as above.
        for move, reverse in zip(self, reverses):
            if move.leasing_legal_action_id:
                reverse.sudo().leasing_legal_action_id = move.leasing_legal_action_id
        return reverses

    def _leasing_origin_note(self):
        if self.leasing_move_kind == "penalty":
            lease = self.leasing_contract_id._get_html_link(title=self.leasing_contract_id.name)
            return self.env._("Penalty interest of %(lease)s", lease=lease)
        if self.leasing_move_kind == "legal_costs":
            lease = self.leasing_contract_id._get_html_link(title=self.leasing_contract_id.name)
            return self.env._("Legal costs of %(lease)s", lease=lease)
        if self.leasing_move_kind == "write_off":
            lease = self.leasing_contract_id._get_html_link(title=self.leasing_contract_id.name)
            return self.env._("Unpaid receivable of %(lease)s written off as a bad debt", lease=lease)
        if self.leasing_move_kind == "recovery":
            lease = self.leasing_contract_id._get_html_link(title=self.leasing_contract_id.name)
            return self.env._("Payment recovered on %(lease)s, written off before", lease=lease)
        return super()._leasing_origin_note()

    @api.model
    def _leasing_penalty_ledger(self, schedule_line_ids):
        """{schedule line id: (penalty invoiced, last day billed)} from the ledger, in one
        statement: the penalty lines of the posted invoices, less those of their posted credit
        notes, and the last date a posted invoice billed the penalty of the line to."""
        if not schedule_line_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.leasing_penalty_line_id,
                       SUM(CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END * aml.price_unit * aml.quantity),
                       MAX(CASE WHEN m.move_type = 'out_invoice' AND m.payment_state != 'reversed'
                                THEN m.leasing_penalty_date END)
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE aml.leasing_penalty_line_id IN %s
                   AND aml.parent_state = 'posted'
                   AND aml.display_type = 'product'
                 GROUP BY aml.leasing_penalty_line_id
                """,
                tuple(schedule_line_ids),
            )
        )
        return {line_id: (amount or 0.0, last) for line_id, amount, last in self.env.cr.fetchall()}
