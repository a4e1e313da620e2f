import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.addons.leasing_management.models.leasing_system_fields_mixin import (
    check_system_fields,
    system_fields,
    without_system_defaults,
)
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger

from ..tools.aging import Instalment
from ..tools.rating import RATINGS, payment_rating, repayment_record, window_start
from .leasing_schedule_line import PAYMENT_COLUMNS, payment_joins

_logger = logging.getLogger(__name__)

PAYMENT_RATINGS = [
    ("A", "A - Pays on Time"),
    ("B", "B - Sometimes a Little Late"),
    ("C", "C - Often Late"),
    ("D", "D - Seriously Late"),
    ("E", "E - In Default"),
]
assert [key for key, _label in PAYMENT_RATINGS] == list(RATINGS)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Set by the collections close (leasing.contract._cron_collections_close) on the lessees of
    # the leases it closes, from their whole repayment record. Nobody else sets it.
    leasing_payment_rating = fields.Selection(
        PAYMENT_RATINGS,
        string="Payment Rating",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="leasing_management.group_leasing_reader,leasing_collections.group_leasing_collector",
        help="The lessee's repayment record at the last collections close, over all their leases: "
        "A pays on time, B was a little late once or twice, C is often late or was one to two months "
        "behind, D very often late or more than two months behind within the year, E over 90 days "
        "behind now.",
    )

    # The customer class of the debt class of collection cases: set by hand, by sales or collections.
    leasing_key_customer = fields.Boolean(
        string="Key Customer",
        help="Its collection cases are classed as a key customer's (filters and groupings of the cases).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        return super(ResPartner, without_system_defaults(self)).create(vals_list)

    def write(self, vals):
        # Only a change is refused: merging contacts writes every field of the partner kept,
        # its rating as it is included.
        changed = {
            name
            for name in system_fields(self) & vals.keys()
            if any(
                partner[name]
                != self._fields[name].convert_to_record(
                    self._fields[name].convert_to_cache(vals[name], partner), partner
                )
                for partner in self
            )
        }
        check_system_fields(self, [dict.fromkeys(changed)])
        return super().write(vals)

    # ------------------------------------------------------------------
    # The payment rating (the collections close)
    # ------------------------------------------------------------------
    @api.model
    def _leasing_repayment_records(self, lessee_ids, as_of, payments=None):
        """{lessee id: RepaymentRecord} of these commercial partners as of ``as_of``, from the
        ledger: every instalment invoice of all their leases (every state, every company), with
        the payments and credit notes reconciled with it and their dates. One statement for the
        whole batch: the instalments that may count (due before ``as_of``, not paid by their due
        date, nor paid in full before the 12 months), with the payments of those not in
        ``payments`` ({line id: (amount, payments)}, as ``leasing.contract``'s
        ``_collections_read_lines`` gives them: what the close already read)."""
        if not lessee_ids:
            return {}
        payments = payments or {}
        self.env.cr.execute(
            SQL(
                """
                SELECT l.lessee_id, l.id, l.due_date, %(payment_columns)s
                  FROM (
                        SELECT p.commercial_partner_id AS lessee_id, l.id, l.due_date, l.invoice_id
                          FROM res_partner p
                          JOIN leasing_contract c ON c.partner_id = p.id
                         CROSS JOIN LATERAL (
                                SELECT l.id, l.due_date, l.invoice_id
                                  FROM leasing_schedule_line l
                                 WHERE l.contract_id = c.id
                                   AND l.invoice_id IS NOT NULL
                                   AND NOT COALESCE(l.cancelled, FALSE)
                                   AND l.due_date < %(date)s
                                   AND NOT (l.state = 'paid'
                                            AND COALESCE(l.last_payment_date <= GREATEST(l.due_date, %(start)s), FALSE))
                                -- Lease by lease, through the index of the leases' invoiced lines
                                -- (leasing_schedule_line_close_idx), never a scan of every line
                                -- invoiced: the planner underestimates those and scans them all.
                                OFFSET 0
                               ) l
                         WHERE p.commercial_partner_id IN %(lessees)s
                       ) l
                       %(payment_joins)s
                """,
                lessees=tuple(lessee_ids),
                date=as_of,
                start=window_start(as_of),
                payment_columns=PAYMENT_COLUMNS,
                # Not the lines whose payments the caller read already (a hashed list).
                payment_joins=payment_joins(SQL("l.id <> ALL(%s::int[])", list(payments) or [0])),
            )
        )
        rows = self.env.cr.fetchall()
        read = self.env["leasing.contract"]._collections_gather_payments(
            (line_id, *payment) for _lessee, line_id, _due, *payment in rows
        )
        instalments, seen = defaultdict(list), set()
        for lessee_id, line_id, due_date, *_payment in rows:
            if line_id in seen:
                continue
            seen.add(line_id)
            if line_id in payments or line_id in read:
                amount, paid = payments[line_id] if line_id in payments else read[line_id]
                instalments[lessee_id].append(Instalment(line_id, due_date, amount, paid))
        return {lessee_id: repayment_record(instalments[lessee_id], as_of) for lessee_id in lessee_ids}

    @api.model
    def _leasing_rate_lessees(self, lessee_ids, as_of, payments=None):
        """Work out the payment rating of these commercial partners as of ``as_of`` and store the
        ratings that changed. Return {lessee id: (rating, RepaymentRecord)}.

        Best effort on the partner rows, as Odoo's own partner ranks: a lessee whose row another
        transaction holds (a user editing it, or the close of another company's leases of the same
        lessee, which writes the same rating from the same ledger) keeps its rating until the next
        close; the leases' own figures do not depend on it. ``payments``: see
        ``_leasing_repayment_records``."""
        records = self._leasing_repayment_records(lessee_ids, as_of, payments)
        ratings = {lessee_id: (payment_rating(record), record) for lessee_id, record in records.items()}
        if not ratings:
            return ratings
        self.flush_model(["leasing_payment_rating"])
        changes = list(zip(*((lessee_id, rating) for lessee_id, (rating, _record) in ratings.items())))
        if not self._leasing_write_ratings(*changes):
            # A row changed since this transaction began (Odoo's transactions are REPEATABLE
            # READ): the statement fails as a whole, so each lessee is tried on its own.
            for lessee_id, rating in zip(*changes):
                if not self._leasing_write_ratings([lessee_id], [rating]):
                    _logger.info("Payment rating of partner %s left to the next close: its row is busy", lessee_id)
        self.browse(changes[0]).invalidate_recordset(["leasing_payment_rating"])
        return ratings

    @api.model
    def _leasing_write_ratings(self, ids, ratings):
        """Store ``ratings`` on the partners ``ids`` whose rating changed and whose row no other
        transaction holds (those are skipped). False when the statement failed as a whole."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        WITH locked AS (
                            SELECT p.id, u.rating
                              FROM res_partner p
                              JOIN unnest(%s::int[], %s::varchar[]) AS u(id, rating) ON u.id = p.id
                             WHERE p.leasing_payment_rating IS DISTINCT FROM u.rating
                               FOR NO KEY UPDATE OF p SKIP LOCKED
                        )
                        UPDATE res_partner p
                           SET leasing_payment_rating = locked.rating
                          FROM locked
                         WHERE p.id = locked.id
                        """,
                        list(ids),
                        list(ratings),
                    )
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            return False
        return True
