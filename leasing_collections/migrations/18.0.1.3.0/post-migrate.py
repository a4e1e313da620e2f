"""18.0.1.3.0: each lease keeps its part of its lessee's repayment record (the payment rating),
which the close reads instead of the lease's instalments when it leaves the lease alone. The
leases closed before this version get theirs as of their last close."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("SELECT id FROM leasing_contract WHERE close_date IS NOT NULL AND repayment_late_count IS NULL")
    contracts = env["leasing.contract"].browse([row[0] for row in cr.fetchall()])
    contracts._collections_store_repayment_parts()
