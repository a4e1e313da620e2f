from odoo import fields, models
from odoo.tools import SQL


class LeasingCloseRunLease(models.Model):
    """A lease a close has to recompute: the work list of a run, written when the run starts
    (``leasing.close.run._plan_leases``) and emptied chunk by chunk, each chunk's rows deleted in
    the transaction that closes its leases. What is left is what the run has still to do, after a
    crash too. The close's own bookkeeping: nobody reads or writes it but the close."""

    _name = "leasing.close.run.lease"
    _description = "Lease Left to a Collections Close"
    _log_access = False

    run_id = fields.Many2one("leasing.close.run", required=True, readonly=True, ondelete="cascade")
    contract_id = fields.Many2one("leasing.contract", required=True, readonly=True, ondelete="cascade")
    # The lease's lessee (its commercial partner) when the run started: chunks take the work list
    # lessee by lessee, so that a lessee's leases are closed together and their repayment record,
    # which rates the lessee, is read once, mostly from the rows the chunk reads anyway.
    lessee_id = fields.Many2one("res.partner", readonly=True, ondelete="set null")

    _sql_constraints = [
        ("run_contract_unique", "UNIQUE(run_id, contract_id)", "A close recomputes a lease once."),
    ]

    def init(self):
        # The order chunks take the work list in (leasing.close.run._lock_next_chunk).
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS leasing_close_run_lease_order_idx
                    ON leasing_close_run_lease (run_id, lessee_id, contract_id)
                """
            )
        )
