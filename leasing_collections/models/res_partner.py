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

from ..tools.rating import RATINGS, RepaymentRecord, combined_record, payment_rating, repayment_record

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
    def _leasing_repayment_records(self, lessee_ids, as_of, known=None, run=None):
        """{lessee id: RepaymentRecord} of these commercial partners as of ``as_of``: of every
        instalment invoice of all their leases (every state, every company), with the payments
        and credit notes reconciled with it and their dates, lease by lease, combined.

        ``known``: {lease id: RepaymentRecord} of leases whose part the caller worked out as of
        ``as_of`` (the close's chunk, from what it read). ``run``: the collections close of
        ``as_of`` asking; the leases of its company it leaves alone (in its scope, not on its
        work list, current at their last recomputation) or has closed already (not skipped on
        an error) keep their part as their last recomputation stored it: nothing that changes it
        happened since, or they would be on the work list. Every other lease is read from the
        ledger (``leasing.contract._collections_rating_instalments``), one statement for the
        batch."""
        if not lessee_ids:
            return {}
        known = known or {}
        if run:
            # Where the close's own bookkeeping holds the lease's part as of the run's date (not
            # a lease the run skipped on an error: it left its figures as they were). The three
            # figures of a part are written together (the close, the update to 18.0.1.3.0): a
            # lease this run closed has them, and one current at its last recomputation too.
            trusted = SQL(
                """
                c.company_id = %(company)s AND (c.state = 'active' OR c.days_past_due > 0)
                AND c.close_date <= %(date)s
                AND (c.close_run_id = %(run)s OR c.repayment_current_days = 0)
                AND NOT EXISTS (SELECT FROM leasing_close_run_lease todo
                                 WHERE todo.run_id = %(run)s AND todo.contract_id = c.id)
                AND NOT EXISTS (SELECT FROM leasing_close_run_error e
                                 WHERE e.run_id = %(run)s AND e.contract_id = c.id)
                """,
                company=run.company_id.id,
                date=as_of,
                run=run.id,
            )
        else:
            trusted = SQL("FALSE")
        # The leases whose part is kept come summed up, a row per lessee (no lease id); the
        # others a row each.
        self.env.cr.execute(
            SQL(
                """
                SELECT lessee_id, contract_id, MAX(current), MAX(worst), SUM(late)
                  FROM (
                        SELECT p.commercial_partner_id AS lessee_id,
                               CASE WHEN c.id != ALL(%(known)s::int[]) AND %(trusted)s THEN NULL ELSE c.id END
                                   AS contract_id,
                               c.repayment_current_days AS current, c.repayment_worst_days AS worst,
                               c.repayment_late_count AS late
                          FROM res_partner p
                          JOIN leasing_contract c ON c.partner_id = p.id
                         WHERE p.commercial_partner_id IN %(lessees)s
                       ) c
                 GROUP BY lessee_id, contract_id
                """,
                known=list(known),
                trusted=trusted,
                lessees=tuple(lessee_ids),
            )
        )
        parts, lessee_of = defaultdict(list), {}
        for lessee_id, contract_id, *part in self.env.cr.fetchall():
            if contract_id is None:
                parts[lessee_id].append(RepaymentRecord(*part))
            elif contract_id in known:
                parts[lessee_id].append(known[contract_id])
            else:
                lessee_of[contract_id] = lessee_id
        instalments = defaultdict(list)
        read = self.env["leasing.contract"].browse(lessee_of)._collections_rating_instalments(as_of)
        for contract_id, contract_instalments in read.items():
            instalments[lessee_of[contract_id]] += contract_instalments
        return {
            lessee_id: combined_record([*parts[lessee_id], repayment_record(instalments[lessee_id], as_of)])
            for lessee_id in lessee_ids
        }

    @api.model
    def _leasing_rate_lessees(self, lessee_ids, as_of, known=None, run=None):
        """Work out the payment rating of these commercial partners as of ``as_of`` and store the
        ratings that changed. Return {lessee id: (rating, RepaymentRecord)}.

        Best effort on the partner rows, as Odoo's own partner ranks: a lessee whose row another
        transaction holds (a user editing it, or the close of another company's leases of the same
        lessee, which writes the same rating from the same ledger) keeps its rating until the next
        close; the leases' own figures do not depend on it. ``known``, ``run``: see
        ``_leasing_repayment_records``."""
        records = self._leasing_repayment_records(lessee_ids, as_of, known, run)
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
