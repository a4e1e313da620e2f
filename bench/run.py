"""`make bench`: throughput figures, printed in one run.

(a) the pure schedule engine: 60-period schedules computed per second;
(b) the ORM path: lease contracts of 60 instalments created with their schedule, per second,
    over 1,000 contracts written in batches (everything is rolled back at the end);
(c) instalment invoices created and posted per second for 1,000 active contracts, by the
    batched daily cron and by a plain one-invoice-at-a-time loop over the same lines;
(d) the collections close over 100,000 active leases (6,000,000 schedule lines) against one
    pure-SQL pass computing the same figures, with the closing process's memory;
(e) the same close by two processes at once against one (bench/close_bench.py).

``--only d,e`` runs some parts only. (d) and (e) run on their own database, built once and
cached by scripts/leasing.sh (``--close-database``); ``--close-contracts`` sets its size.

Figures, not assertions: compare them with the targets in README.md.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_engine, close_bench  # noqa: E402

ORM_CONTRACTS = 1000
ORM_BATCH = 100
TERM = 60
PARTS = ("a", "b", "c", "d", "e")


def bench_orm(config, database, contracts=ORM_CONTRACTS, batch=ORM_BATCH):
    from odoo.api import SUPERUSER_ID, Environment

    registry = close_bench.get_registry(config, database)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        plan = env["leasing.plan"].create(
            {
                "name": "Bench plan",
                "repayment_method": "annuity",
                "term": TERM,
                "annual_rate": 7.5,
                "min_down_payment_pct": 10,
                "residual_pct": 5,
            }
        )
        product = env["product.product"].create({"name": "Bench excavator", "lst_price": 85000.0})
        partners = env["res.partner"].create([{"name": f"Bench lessee {i}"} for i in range(50)])
        start = datetime.date(2026, 1, 31)
        env.flush_all()
        elapsed = 0.0
        for offset in range(0, contracts, batch):
            vals_list = [
                {
                    "partner_id": partners[i % len(partners)].id,
                    "plan_id": plan.id,
                    "start_date": start,
                    "line_ids": [(0, 0, {"product_id": product.id, "price_unit": 50000.0 + 17.31 * i})],
                }
                for i in range(offset, min(offset + batch, contracts))
            ]
            begin = time.perf_counter()
            env["leasing.contract"].create(vals_list)
            env.flush_all()
            elapsed += time.perf_counter() - begin
            env.invalidate_all()
        lines = env["leasing.schedule.line"].search_count([("contract_id.plan_id", "=", plan.id)])
        cr.rollback()
    return contracts / elapsed, lines / elapsed, lines


def bench_invoicing(config, database, contracts=ORM_CONTRACTS):
    """Invoices per second: the batched cron against a plain loop, on the same 1,000 lines."""
    from odoo.api import SUPERUSER_ID, Environment

    registry = close_bench.get_registry(config, database)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        today = datetime.date.today()
        plan = env["leasing.plan"].create({"name": "Bench invoicing plan", "term": 12, "annual_rate": 9.0})
        product = env["product.product"].create({"name": "Bench forklift", "lst_price": 24000.0})
        partners = env["res.partner"].create([{"name": f"Bench invoiced lessee {i}"} for i in range(100)])
        # Active contracts whose first instalment falls due within the horizon. They are made
        # active directly, as the system (the schedule built while they were drafts): the
        # commencement postings are not what is measured here.
        start = today - datetime.timedelta(days=25)
        env["leasing.contract"].create(
            [
                {
                    "partner_id": partners[i % len(partners)].id,
                    "plan_id": plan.id,
                    "start_date": start,
                    "line_ids": [(0, 0, {"product_id": product.id, "price_unit": 24000.0 + i})],
                }
                for i in range(contracts)
            ]
        ).write({"state": "active"})
        Line = env["leasing.schedule.line"]
        due = Line.search(Line._due_domain(env.company) + [("contract_id.plan_id", "=", plan.id)])
        env.flush_all()
        # Fresh statistics, as autovacuum would have them in production: without them the planner
        # takes the thousands of rows just inserted for none and picks nested sequential scans.
        cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile, leasing_schedule_line")
        cr.execute("SAVEPOINT bench_invoicing")

        begin = time.perf_counter()
        invoiced = 0
        while True:
            moves = Line._cron_invoice_due_lines(batch_size=200)
            env.flush_all()
            if not moves:
                break
            invoiced += len(moves)
        batched = invoiced / (time.perf_counter() - begin)
        cr.execute("ROLLBACK TO SAVEPOINT bench_invoicing")
        env.invalidate_all()

        begin = time.perf_counter()
        for line in due:
            move = env["account.move"].create(line._prepare_invoice_vals())
            move.action_post()
        env.flush_all()
        plain = len(due) / (time.perf_counter() - begin)
        cr.rollback()
    return batched, plain, len(due)


def _parts(text):
    parts = {part.strip().lower() for part in text.split(",") if part.strip()}
    if not parts or parts - set(PARTS):
        raise argparse.ArgumentTypeError(f"--only takes parts among {', '.join(PARTS)}, comma-separated: {text!r}")
    return parts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True, help="the database of (b) and (c), rolled back")
    parser.add_argument("--contracts", type=int, default=ORM_CONTRACTS, help="contracts of (b) and (c)")
    parser.add_argument("--only", type=_parts, default=set(PARTS), help="the parts to run, e.g. d,e (default: all)")
    parser.add_argument("--close-database", help="the bench database of (d) and (e)")
    parser.add_argument("--close-contracts", type=int, default=100_000, help="leases of (d) and (e)")
    parser.add_argument("--build-close-database", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--close-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.close_worker:
        close_bench.worker(args.config, args.database)
        return
    if args.build_close_database:
        close_bench.build_database(args.config, args.database, args.close_contracts)
        return

    print("== leasing bench ==")
    if "a" in args.only:
        engine_rate = bench_engine.main()
        print(f"(a) engine: {engine_rate:,.0f} schedules of 60 periods per second (target >= 20,000)")
    if "b" in args.only:
        contracts_rate, lines_rate, lines = bench_orm(args.config, args.database, args.contracts)
        print(
            f"(b) ORM: {contracts_rate:,.1f} contracts of {TERM} instalments created and computed per second, "
            f"{lines_rate:,.0f} schedule lines/s ({args.contracts} contracts, {lines} lines; "
            f"target >= 100 contracts/s)"
        )
    if "c" in args.only:
        batched, plain, lines = bench_invoicing(args.config, args.database, args.contracts)
        print(
            f"(c) invoicing {lines} instalments of {args.contracts} active contracts: batched cron "
            f"{batched:,.1f} invoices/s, one-at-a-time loop {plain:,.1f} invoices/s, "
            f"ratio {batched / plain:.1f}x (target >= 3x)"
        )
    close_parts = args.only & {"d", "e"}
    if close_parts:
        if not args.close_database:
            parser.error("(d) and (e) need --close-database (scripts/leasing.sh bench builds it)")
        close_bench.bench_close(args.config, args.close_database, close_parts)


if __name__ == "__main__":
    main()
