"""The data of `make bench` (d) and (e): a portfolio of active leases for the collections close,
and one pure-SQL pass that computes the close's figures over the same rows.

How the portfolio is made
=========================
A few *prototype* leases are made through the ORM, the way users and crons make them: leases of
60 monthly instalments created with their schedule, made active, their instalments due by the
bench's day (``CLOSE_DATE``) invoiced by the daily invoicing's own batch, and payments registered
with Odoo's payment wizard (in full on time, late, partly, twice). Each prototype has a lessee of
its own, so everything of its lessee is its own.

Then each prototype is *cloned* by SQL, set-based: every row the ORM wrote for it (the lease, its
items, its schedule, its invoices and their journal items, the payments, their moves and the
reconciliations, with the many2many rows between them) is copied ``n`` times in a handful of
``INSERT ... SELECT`` over ``generate_series``, every column as the ORM wrote it but the ids, the
foreign keys between the copied rows (pointing to the copies of the same clone), the lessee (one
of a pool of bench lessees), the references (contract names, invoice and payment numbers, which
must stay unique) and the matching numbers. The secondary indexes and the foreign keys of the big
tables are dropped for the load and built again after it, then the tables are analysed.

``tests/test_bench_close_data.py`` builds a few prototypes and clones on the test database and
checks that a clone is what the ORM made: the same schedule, invoices, journal items and
reconciliations, stored figures that the ORM recomputes to the same values, and the same figures
from the close.

The portfolio: 90 % of the leases started in the month before the close date (their first
instalment falls due after it: current); 10 % started 2 to 24 months before it and are in
arrears in one of four ways (nothing paid; paid on time but the last instalment; the one before
the last partly paid; older ones paid late, one paid in two parts). Two plans: 0.05 % a day with
3 grace days and a cap of 2 %, and 0.05 % a day without grace or cap.
"""

import datetime
import itertools
from contextlib import contextmanager
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

CLOSE_DATE = datetime.date(2026, 6, 30)
TERM = 60
PRICES = (18000.0, 47250.5, 96000.75)
PLANS = (
    {"name": "Bench close 60 months, grace and cap", "penalty_grace_days": 3, "penalty_cap_pct": 2.0},
    {"name": "Bench close 60 months", "penalty_grace_days": 0, "penalty_cap_pct": 0.0},
)
# Current leases start these many days before the close date (first instalment after it).
CURRENT_STARTS = (1, 9, 17, 26)
# Leases in arrears start these many months (and a few days) before the close date.
ARREARS_MONTHS = (2, 3, 6, 9, 13, 24)
ARREARS_PRICES = PRICES[1:]
PATTERNS = ("unpaid", "late_last", "partial", "late_partial")
ARREARS_SHARE = 10  # one lease in ten is in arrears
BENCH_PARTNERS = 2000

# The tables a clone copies, in the order they are written (each row's foreign keys to earlier
# tables are mapped to the same clone's rows); the columns written NULL first and set after
# every table is in (the foreign keys that go both ways).
CLONED_TABLES = (
    "leasing_contract",
    "leasing_contract_line",
    "leasing_schedule_line",
    "account_move",
    "account_payment",
    "account_full_reconcile",
    "account_move_line",
    "account_partial_reconcile",
)
DEFERRED = {("leasing_schedule_line", "invoice_id"), ("account_move", "origin_payment_id")}
CLONED_RELATIONS = (
    "account_move__account_payment",
    "account_move_line_account_tax_rel",
    "account_account_tag_account_move_line_rel",
)
# Tables whose secondary indexes are dropped for a large load and built again after it.
BULK_TABLES = ("leasing_contract", "leasing_schedule_line", "account_move", "account_move_line")


# ----------------------------------------------------------------------
# The scenario
# ----------------------------------------------------------------------
def prototype_specs():
    """The prototypes, as dicts: ``kind`` (current / arrears), ``plan`` (index in PLANS),
    ``price``, ``start_date`` (``months`` before the close date), ``pattern`` (of payments, for
    leases in arrears)."""
    specs = []
    for index, (days, price) in enumerate(itertools.product(CURRENT_STARTS, PRICES)):
        for plan in range(len(PLANS)):
            specs.append(
                {
                    "kind": "current",
                    "plan": plan,
                    "price": price,
                    "start_date": CLOSE_DATE - datetime.timedelta(days=days + index % 3),
                    "months": 0,
                    "pattern": None,
                }
            )
    for index, (months, pattern, price) in enumerate(itertools.product(ARREARS_MONTHS, PATTERNS, ARREARS_PRICES)):
        specs.append(
            {
                "kind": "arrears",
                "plan": index % len(PLANS),
                "price": price,
                "start_date": CLOSE_DATE - relativedelta(months=months) - datetime.timedelta(days=(7 * index) % 28),
                "months": months,
                "pattern": pattern,
            }
        )
    return specs


def clone_counts(specs, contracts):
    """How many clones of each prototype make ``contracts`` leases in all (prototypes included),
    one in ten in arrears: a list parallel to ``specs``."""
    arrears = [i for i, spec in enumerate(specs) if spec["kind"] == "arrears"]
    current = [i for i, spec in enumerate(specs) if spec["kind"] == "current"]
    if contracts < len(specs):
        raise ValueError(f"The bench needs at least {len(specs)} leases (its prototypes), not {contracts}.")
    counts = [0] * len(specs)
    for group, total in ((arrears, contracts // ARREARS_SHARE), (current, contracts - contracts // ARREARS_SHARE)):
        clones = max(total - len(group), 0)
        for position, index in enumerate(group):
            counts[index] = clones // len(group) + (position < clones % len(group))
    return counts


def payments_of(pattern, dues):
    """The payments of a lease in arrears: {instalment index: [(date, share of its amount)]},
    for its instalments due before the close date (``dues``, in order), none after it."""
    past = len(dues)
    plan = {}
    for k, due in enumerate(dues):
        last, before_last = k == past - 1, k == past - 2
        if (pattern == "late_last" and not last) or (pattern == "partial" and not (last or before_last)):
            plan[k] = [(due, 1.0)]
        elif pattern == "partial" and before_last:
            plan[k] = [(due + datetime.timedelta(days=10), 0.4)]
        elif pattern == "late_partial" and k < past - 2:
            plan[k] = [(due + datetime.timedelta(days=15), 1.0)]
        elif pattern == "late_partial" and before_last:
            plan[k] = [(due + datetime.timedelta(days=5), 0.3), (due + datetime.timedelta(days=20), 0.3)]
    return {k: [(day, share) for day, share in paid if day <= CLOSE_DATE] for k, paid in plan.items()}


# ----------------------------------------------------------------------
# Prototypes, through the ORM
# ----------------------------------------------------------------------
def bench_plans(env):
    """The bench's plans (made once per database)."""
    Plan = env["leasing.plan"].with_context(active_test=False)
    plans = []
    for values in PLANS:
        plan = Plan.search([("name", "=", values["name"])], limit=1)
        if not plan:
            plan = Plan.create(
                {
                    "term": TERM,
                    "annual_rate": 7.5,
                    "repayment_method": "annuity",
                    "payment_timing": "arrears",
                    "period_months": 1,
                    "penalty_rate_daily": 0.05,
                    **values,
                }
            )
        plans.append(plan)
    return plans


def build_prototypes(env, specs, label="Bench"):
    """Make the leases of ``specs`` through the ORM as of ``CLOSE_DATE``: created with their
    schedule, made active, their due instalments invoiced by the daily invoicing's batch and
    paid as their pattern says. Return the leases, in the order of ``specs``."""
    from freezegun import freeze_time

    plans = bench_plans(env)
    product = env["product.product"].create({"name": f"{label} excavator", "lst_price": 50000.0})
    partners = env["res.partner"].create([{"name": f"{label} prototype lessee {i}"} for i in range(len(specs))])
    Contract = env["leasing.contract"].with_context(tracking_disable=True)
    Line = env["leasing.schedule.line"]
    with freeze_time(CLOSE_DATE):
        contracts = Contract.create(
            [
                {
                    "partner_id": partner.id,
                    "plan_id": plans[spec["plan"]].id,
                    "start_date": spec["start_date"],
                    "line_ids": [(0, 0, {"product_id": product.id, "price_unit": spec["price"]})],
                }
                for spec, partner in zip(specs, partners)
            ]
        )
        # Active as the system makes them (the schedule built while they were drafts): the
        # commencement postings are not what the close reads.
        contracts.write({"state": "active"})
        for company, company_contracts in contracts.grouped("company_id").items():
            due = Line.search(Line._due_domain(company) + [("contract_id", "in", company_contracts.ids)])
            for batch in range(0, len(due), 200):
                due[batch : batch + 200].with_company(company)._cron_create_invoices()
        env.flush_all()
        for spec, contract in zip(specs, contracts):
            if spec["kind"] != "arrears":
                continue
            lines = contract.schedule_line_ids.filtered(lambda line: line.invoice_id and line.due_date < CLOSE_DATE)
            lines = lines.sorted("sequence")
            for k, paid in payments_of(spec["pattern"], lines.mapped("due_date")).items():
                invoice = lines[k].invoice_id
                for day, share in paid:
                    amount = invoice.currency_id.round(invoice.amount_total * share)
                    env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=invoice.ids
                    ).create({"amount": amount, "payment_date": day})._create_payments()
        # The daily invoicing's first step: the instalments past due and open are overdue.
        Line._cron_refresh_overdue()
        env.flush_all()
    return contracts


# ----------------------------------------------------------------------
# Clones, by SQL
# ----------------------------------------------------------------------
def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in cr.fetchall()]


def _foreign_keys(cr, table):
    """{column: referenced table} of ``table``'s single-column foreign keys."""
    cr.execute(
        """
        SELECT a.attname, c.confrelid::regclass::text
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND array_length(c.conkey, 1) = 1
        """,
        (table,),
    )
    return dict(cr.fetchall())


def _identifier(name):
    return '"%s"' % name.replace('"', '""')


def _make_maps(cr, counts):
    """Temporary tables ``bench_map_<table>`` (old_id, k, new_id, proto): for each row of a
    prototype (``proto`` its lease) and each clone ``k``, the id of its copy. ``counts`` is
    {prototype lease id: number of clones}."""
    cr.execute("DROP TABLE IF EXISTS bench_clone_count, bench_proto_row")
    cr.execute("CREATE TEMP TABLE bench_clone_count (proto int PRIMARY KEY, n int)")
    cr.execute(
        "INSERT INTO bench_clone_count SELECT * FROM unnest(%s::int[], %s::int[])",
        (list(counts), list(counts.values())),
    )
    # Which prototype each row belongs to: everything of the prototype's own lessee.
    cr.execute(
        """
        CREATE TEMP TABLE bench_proto_row AS
        SELECT 'leasing_contract' AS tbl, c.id AS old_id, c.id AS proto
          FROM leasing_contract c JOIN bench_clone_count b ON b.proto = c.id
        UNION ALL
        SELECT 'leasing_contract_line', l.id, l.contract_id
          FROM leasing_contract_line l JOIN bench_clone_count b ON b.proto = l.contract_id
        UNION ALL
        SELECT 'leasing_schedule_line', l.id, l.contract_id
          FROM leasing_schedule_line l JOIN bench_clone_count b ON b.proto = l.contract_id
        UNION ALL
        SELECT 'account_move', m.id, c.id
          FROM account_move m JOIN leasing_contract c ON c.partner_id = m.partner_id
          JOIN bench_clone_count b ON b.proto = c.id
        UNION ALL
        SELECT 'account_payment', p.id, c.id
          FROM account_payment p JOIN leasing_contract c ON c.partner_id = p.partner_id
          JOIN bench_clone_count b ON b.proto = c.id
        UNION ALL
        SELECT 'account_move_line', l.id, c.id
          FROM account_move_line l JOIN account_move m ON m.id = l.move_id
          JOIN leasing_contract c ON c.partner_id = m.partner_id
          JOIN bench_clone_count b ON b.proto = c.id
        """
    )
    cr.execute(
        """
        INSERT INTO bench_proto_row
        SELECT DISTINCT 'account_partial_reconcile', pr.id, r.proto
          FROM account_partial_reconcile pr
          JOIN bench_proto_row r ON r.tbl = 'account_move_line' AND r.old_id = pr.debit_move_id;
        INSERT INTO bench_proto_row
        SELECT DISTINCT 'account_full_reconcile', l.full_reconcile_id, r.proto
          FROM account_move_line l
          JOIN bench_proto_row r ON r.tbl = 'account_move_line' AND r.old_id = l.id
         WHERE l.full_reconcile_id IS NOT NULL
        """
    )
    for table in CLONED_TABLES:
        cr.execute(f"DROP TABLE IF EXISTS bench_map_{table}")
        cr.execute(
            f"""
            CREATE TEMP TABLE bench_map_{table} AS
            SELECT r.old_id, k, nextval(%s) AS new_id, r.proto
              FROM bench_proto_row r
              JOIN bench_clone_count b ON b.proto = r.proto
             CROSS JOIN LATERAL generate_series(1, b.n) AS k
             WHERE r.tbl = %s
             ORDER BY k, r.proto, r.old_id
            """,
            (f"{table}_id_seq", table),
        )
        cr.execute(f"CREATE UNIQUE INDEX ON bench_map_{table} (old_id, k)")
        cr.execute(f"ANALYZE bench_map_{table}")


def _number_moves(cr):
    """The numbers of the copied journal entries: each journal's sequence goes on from its
    highest number, in the order of the new ids (as posting them one after the other would)."""
    cr.execute("ALTER TABLE bench_map_account_move ADD COLUMN name varchar")
    cr.execute(
        """
        WITH numbered AS (
            SELECT mm.new_id, m.sequence_prefix, m.journal_id,
                   row_number() OVER (PARTITION BY m.journal_id, m.sequence_prefix ORDER BY mm.new_id) AS n
              FROM bench_map_account_move mm JOIN account_move m ON m.id = mm.old_id
             WHERE m.name IS NOT NULL AND m.name != '/' AND m.sequence_prefix IS NOT NULL
        ), base AS (
            SELECT journal_id, sequence_prefix, MAX(sequence_number) AS top
              FROM account_move WHERE sequence_prefix IS NOT NULL
             GROUP BY journal_id, sequence_prefix
        )
        UPDATE bench_map_account_move mm
           SET name = n.sequence_prefix || lpad((b.top + n.n)::text, greatest(5, length((b.top + n.n)::text)), '0')
          FROM numbered n JOIN base b ON b.journal_id = n.journal_id AND b.sequence_prefix = n.sequence_prefix
         WHERE mm.new_id = n.new_id
        """
    )


def _overrides(table):
    """{column: SQL expression} of what a copy does not take from its prototype's row (``t``
    the prototype's row, ``m`` its map row, ``cl`` the clone's lease map row with its
    ``partner_id``)."""
    partner = "cl.partner_id"
    if table == "leasing_contract":
        return {"partner_id": partner, "name": "t.name || '-' || m.k"}
    if table == "account_move":
        return {
            "partner_id": partner,
            "commercial_partner_id": partner,
            "partner_shipping_id": f"CASE WHEN t.partner_shipping_id IS NULL THEN NULL ELSE {partner} END",
            "name": "COALESCE(mm.name, t.name)",
            "sequence_number": "COALESCE(substring(mm.name FROM '([0-9]+)$')::int, t.sequence_number)",
            "payment_reference": "CASE WHEN t.payment_reference = t.name THEN mm.name ELSE t.payment_reference END",
            "ref": "CASE WHEN t.ref = t.name THEN mm.name ELSE t.ref END",
        }
    if table == "account_payment":
        return {
            "partner_id": partner,
            "name": "COALESCE((SELECT name FROM bench_map_account_move x WHERE x.old_id = t.move_id AND x.k = m.k),"
            " t.name)",
        }
    if table == "account_move_line":
        return {
            "partner_id": f"CASE WHEN t.partner_id IS NULL THEN NULL ELSE {partner} END",
            "move_name": "(SELECT COALESCE(x.name, t.move_name) FROM bench_map_account_move x"
            " WHERE x.old_id = t.move_id AND x.k = m.k)",
            "matching_number": """CASE
                WHEN t.matching_number LIKE 'P%' THEN 'P' || (SELECT x.new_id FROM bench_map_account_partial_reconcile x
                     WHERE x.old_id = substring(t.matching_number FROM 2)::int AND x.k = m.k)
                WHEN t.matching_number IS NOT NULL THEN (SELECT x.new_id FROM bench_map_account_full_reconcile x
                     WHERE x.old_id = t.matching_number::int AND x.k = m.k)::text
                END""",
        }
    return {}


def _clone_table(cr, table, foreign_keys):
    cloned = set(CLONED_TABLES)
    foreign = {column: target for column, target in foreign_keys[table].items() if target in cloned}
    overrides = _overrides(table)
    columns = [column for column in _columns(cr, table) if column != "id"]
    select, joins = ["m.new_id"], []
    for column in columns:
        if (table, column) in DEFERRED:
            select.append("NULL")
        elif column in overrides:
            select.append(overrides[column])
        elif column in foreign:
            alias = f"f_{column}"
            select.append(f"{alias}.new_id")
            joins.append(
                f"LEFT JOIN bench_map_{foreign[column]} {alias} ON {alias}.old_id = t.{_identifier(column)}"
                f" AND {alias}.k = m.k"
            )
        else:
            select.append(f"t.{_identifier(column)}")
    if table == "account_move":
        joins.append("JOIN bench_map_account_move mm ON mm.new_id = m.new_id")
    cr.execute(
        f"""
        INSERT INTO {table} (id, {", ".join(map(_identifier, columns))})
        SELECT {", ".join(select)}
          FROM bench_map_{table} m
          JOIN {table} t ON t.id = m.old_id
          JOIN bench_map_leasing_contract cl ON cl.old_id = m.proto AND cl.k = m.k
          {" ".join(joins)}
        """
    )
    return cr.rowcount


def _clone_relation(cr, relation, foreign_keys):
    """Copy the many2many rows between copied rows (a side that is not copied is kept)."""
    foreign = foreign_keys[relation]
    copied = [column for column, target in foreign.items() if target in CLONED_TABLES]
    if not copied:
        return 0
    first, target = copied[0], foreign[copied[0]]
    select, joins = [], []
    for column in foreign:
        if column == first:
            select.append("m.new_id")
        elif column in copied:
            alias = f"f_{column}"
            select.append(f"{alias}.new_id")
            joins.append(
                f"JOIN bench_map_{foreign[column]} {alias} ON {alias}.old_id = r.{_identifier(column)}"
                f" AND {alias}.k = m.k"
            )
        else:
            select.append(f"r.{_identifier(column)}")
    cr.execute(
        f"""
        INSERT INTO {relation} ({", ".join(map(_identifier, foreign))})
        SELECT {", ".join(select)}
          FROM bench_map_{target} m
          JOIN {relation} r ON r.{_identifier(first)} = m.old_id
          {" ".join(joins)}
        """
    )
    return cr.rowcount


def foreign_keys(cr):
    """{table: {column: referenced table}} of the tables and relations a clone writes."""
    return {table: _foreign_keys(cr, table) for table in CLONED_TABLES + CLONED_RELATIONS}


def clone(cr, counts, partner_ids, keys=None):
    """Copy each prototype lease of ``counts`` ({lease id: number of clones}) and everything of
    it that many times; the copies' lessees are taken from ``partner_ids`` in turn. ``keys``:
    the ``foreign_keys`` of the tables (read now if not given: those of a load may be dropped).
    Return {table: rows written}."""
    keys = keys or foreign_keys(cr)
    _make_maps(cr, counts)
    cr.execute("ALTER TABLE bench_map_leasing_contract ADD COLUMN partner_id int")
    cr.execute(
        """
        UPDATE bench_map_leasing_contract m SET partner_id = (%s::int[])[1 + (n.rank %% %s)]
          FROM (SELECT new_id, row_number() OVER (ORDER BY new_id) AS rank FROM bench_map_leasing_contract) n
         WHERE n.new_id = m.new_id
        """,
        (list(partner_ids), len(partner_ids)),
    )
    _number_moves(cr)
    written = {}
    for table in CLONED_TABLES:
        written[table] = _clone_table(cr, table, keys)
    for relation in CLONED_RELATIONS:
        written[relation] = _clone_relation(cr, relation, keys)
    # The foreign keys that go both ways, now that both sides are in.
    cr.execute(
        """
        UPDATE leasing_schedule_line l SET invoice_id = mi.new_id
          FROM bench_map_leasing_schedule_line m
          JOIN leasing_schedule_line t ON t.id = m.old_id
          JOIN bench_map_account_move mi ON mi.old_id = t.invoice_id AND mi.k = m.k
         WHERE l.id = m.new_id
        """
    )
    cr.execute(
        """
        UPDATE account_move a SET origin_payment_id = mp.new_id
          FROM bench_map_account_move m
          JOIN account_move t ON t.id = m.old_id
          JOIN bench_map_account_payment mp ON mp.old_id = t.origin_payment_id AND mp.k = m.k
         WHERE a.id = m.new_id
        """
    )
    return written


def clone_map(cr, table="leasing_contract"):
    """{(prototype row id, clone number): copy's id} of the last ``clone`` (same transaction)."""
    cr.execute(f"SELECT old_id, k, new_id FROM bench_map_{table}")
    return {(old_id, k): new_id for old_id, k, new_id in cr.fetchall()}


# ----------------------------------------------------------------------
# Resetting the close's figures
# ----------------------------------------------------------------------
@contextmanager
def bench_day(day):
    """Today is ``day`` for the ORM (``fields.Date.context_today``): the close, and the status
    of the schedule lines it refreshes, are as of that day."""
    from odoo import fields

    with patch.object(fields.Date, "context_today", staticmethod(lambda record, timestamp=None: day)):
        yield


def first_close(env):
    """The close of the day before the bench's: each lease's first close (its history since its
    start), as the cron runs it, call after call, each committed. Then the leases' figures are
    saved: every close the bench times is the next day's, from these figures
    (``reset_close``). Return its wall time."""
    import time

    cr = env.cr
    begin = time.perf_counter()
    with bench_day(CLOSE_DATE - datetime.timedelta(days=1)):
        while env["leasing.contract"]._cron_collections_close():
            cr.commit()
    cr.commit()
    elapsed = time.perf_counter() - begin
    cr.execute("DROP TABLE IF EXISTS bench_saved_contract, bench_saved_line, bench_saved_mark")
    cr.execute(
        """
        CREATE TABLE bench_saved_contract AS
        SELECT id, days_past_due, aging_bucket_id, amount_in_arrears, close_date, close_run_id,
               penalty_accrued, penalty_due
          FROM leasing_contract
        """
    )
    cr.execute(
        """
        CREATE TABLE bench_saved_line AS
        SELECT id, days_past_due, penalty_accrued, penalty_due FROM leasing_schedule_line
         WHERE days_past_due IS NOT NULL OR penalty_accrued IS NOT NULL
        """
    )
    cr.execute(
        """
        CREATE TABLE bench_saved_mark AS
        SELECT (SELECT COALESCE(MAX(id), 0) FROM leasing_aging_history) AS history,
               (SELECT COALESCE(MAX(id), 0) FROM leasing_close_run) AS run,
               %s::float AS first_close
        """,
        (elapsed,),
    )
    cr.execute("ALTER TABLE bench_saved_contract ADD PRIMARY KEY (id)")
    cr.execute("ALTER TABLE bench_saved_line ADD PRIMARY KEY (id)")
    cr.commit()
    return elapsed


def reset_close(cr):
    """Take the database back to the figures of the close of the day before the bench's (saved
    by ``first_close``): the runs, history and figures of later closes are undone, so that every
    close the bench times starts from the same rows."""
    cr.execute("SELECT history, run FROM bench_saved_mark")
    history, run = cr.fetchone()
    cr.execute("DELETE FROM leasing_aging_history WHERE id > %s", (history,))
    cr.execute("DELETE FROM leasing_close_run_error WHERE run_id > %s", (run,))
    cr.execute("DELETE FROM leasing_close_run_chunk WHERE run_id > %s", (run,))
    cr.execute(
        """
        UPDATE leasing_contract c
           SET days_past_due = s.days_past_due, aging_bucket_id = s.aging_bucket_id,
               amount_in_arrears = s.amount_in_arrears, close_date = s.close_date, close_run_id = s.close_run_id,
               penalty_accrued = s.penalty_accrued, penalty_due = s.penalty_due
          FROM bench_saved_contract s
         WHERE s.id = c.id
           AND (c.days_past_due, c.aging_bucket_id, c.amount_in_arrears, c.close_date, c.close_run_id,
                c.penalty_accrued, c.penalty_due)
               IS DISTINCT FROM (s.days_past_due, s.aging_bucket_id, s.amount_in_arrears, s.close_date,
                                 s.close_run_id, s.penalty_accrued, s.penalty_due)
        """
    )
    # The lines a close wrote are among those it reads (the condition of its partial index).
    cr.execute(
        """
        UPDATE leasing_schedule_line l
           SET days_past_due = s.days_past_due, penalty_accrued = s.penalty_accrued,
               penalty_due = COALESCE(s.penalty_due, 0)
          FROM leasing_schedule_line c
          LEFT JOIN bench_saved_line s ON s.id = c.id
         WHERE l.id = c.id
           AND (c.invoice_id IS NOT NULL OR c.days_past_due != 0 OR c.penalty_accrued != 0 OR c.penalty_due != 0)
           AND (c.days_past_due, c.penalty_accrued, c.penalty_due)
               IS DISTINCT FROM (s.days_past_due, s.penalty_accrued, COALESCE(s.penalty_due, 0))
        """
    )
    cr.execute("DELETE FROM leasing_close_run WHERE id > %s", (run,))


# ----------------------------------------------------------------------
# The pure-SQL pass, and the close's figures against it
# ----------------------------------------------------------------------
SQL_PASS = """
CREATE TEMP TABLE bench_sql_lines AS
WITH scope AS (
    SELECT c.id, c.company_id, cur.rounding,
           p.penalty_rate_daily::numeric AS rate,
           COALESCE(p.penalty_grace_days, 0) AS grace,
           COALESCE(p.penalty_cap_pct, 0)::numeric AS cap
      FROM leasing_contract c
      JOIN leasing_plan p ON p.id = c.plan_id
      JOIN res_currency cur ON cur.id = c.currency_id
     WHERE c.state = 'active' OR c.days_past_due > 0
), lines AS (
    -- In arrears on the close date: invoiced, due before it, not paid by the due date.
    SELECT l.id, l.contract_id, l.due_date, s.rate, s.grace, s.cap, s.rounding,
           rl.id AS receivable_id, rl.amount_currency
      FROM leasing_schedule_line l
      JOIN scope s ON s.id = l.contract_id
      JOIN account_move m ON m.id = l.invoice_id AND m.state = 'posted'
      JOIN account_move_line rl ON rl.move_id = m.id AND rl.display_type = 'payment_term'
     WHERE NOT COALESCE(l.cancelled, FALSE) AND l.due_date < %(date)s
       AND NOT (l.state = 'paid' AND COALESCE(l.last_payment_date <= l.due_date, FALSE))
), amounts AS (
    SELECT id, contract_id, due_date, rate, grace, cap, rounding, SUM(amount_currency) AS amount
      FROM lines GROUP BY id, contract_id, due_date, rate, grace, cap, rounding
), pay AS (
    -- What paid each line, by day, up to the close date.
    SELECT l.id, cl.date AS day, SUM(pr.debit_amount_currency) AS paid
      FROM lines l
      JOIN account_partial_reconcile pr ON pr.debit_move_id = l.receivable_id
      JOIN account_move_line cl ON cl.id = pr.credit_move_id
     WHERE cl.date <= %(date)s
     GROUP BY l.id, cl.date
), totals AS (
    SELECT a.*,
           GREATEST(a.amount - COALESCE(SUM(p.paid), 0), 0) AS unpaid_now,
           GREATEST(a.amount - COALESCE(SUM(p.paid) FILTER (WHERE p.day <= a.due_date + a.grace), 0), 0)
               AS unpaid_after_grace,
           COALESCE(SUM(p.paid) FILTER (WHERE p.day <= a.due_date + 1), 0) AS paid_first_day
      FROM amounts a LEFT JOIN pay p ON p.id = a.id
     GROUP BY a.id, a.contract_id, a.due_date, a.rate, a.grace, a.cap, a.rounding, a.amount
), events AS (
    -- The unpaid amount changes the day after the due date, then on each later payment day.
    SELECT id, due_date + 1 AS day, paid_first_day AS paid FROM totals
    UNION ALL
    SELECT id, day, paid
      FROM (SELECT p.id, p.day, a.due_date, SUM(p.paid) OVER (PARTITION BY p.id ORDER BY p.day) AS paid
              FROM pay p JOIN amounts a ON a.id = p.id) w
     WHERE day > due_date + 1
), owed AS (
    -- Unpaid amount x days, stretch by stretch (each ends the day before the next starts).
    SELECT e.id,
           SUM(GREATEST(t.amount - e.paid, 0)
               * (COALESCE(e.next_day, %(date)s::date + 1) - e.day)) AS owed
      FROM (SELECT events.*, LEAD(day) OVER (PARTITION BY id ORDER BY day) AS next_day FROM events) e
      JOIN totals t ON t.id = e.id
     GROUP BY e.id
)
SELECT t.id, t.contract_id, t.due_date, t.amount, t.unpaid_now, t.rounding,
       CASE WHEN t.amount != 0 AND t.unpaid_now > 0 THEN %(date)s::date - t.due_date ELSE 0 END AS days_past_due,
       CASE WHEN t.amount = 0 OR t.rate = 0
                 OR (t.grace > 0 AND (%(date)s::date <= t.due_date + t.grace OR t.unpaid_after_grace = 0))
            THEN 0
            ELSE round(CASE WHEN t.cap > 0 THEN LEAST(o.owed * t.rate * 0.01, t.amount * t.cap * 0.01)
                            ELSE o.owed * t.rate * 0.01 END,
                       ceil(-log(t.rounding::numeric))::int)
       END AS penalty
  FROM totals t JOIN owed o ON o.id = t.id;

CREATE TEMP TABLE bench_sql_contracts AS
WITH figures AS (
    SELECT c.id, c.company_id,
           COALESCE(%(date)s::date - MIN(l.due_date) FILTER (WHERE l.unpaid_now > 0), 0) AS days_past_due,
           round(COALESCE(SUM(l.unpaid_now), 0), ceil(-log(cur.rounding::numeric))::int) AS amount_overdue,
           COALESCE(SUM(l.penalty), 0) AS penalty_accrued
      FROM leasing_contract c
      JOIN res_currency cur ON cur.id = c.currency_id
      LEFT JOIN bench_sql_lines l ON l.contract_id = c.id
     WHERE c.state = 'active' OR c.days_past_due > 0
     GROUP BY c.id, c.company_id, cur.rounding
)
SELECT f.*, b.id AS bucket_id
  FROM figures f
  LEFT JOIN leasing_aging_bucket b
         ON b.company_id = f.company_id AND b.active AND f.days_past_due >= b.min_days
        AND (b.open_ended OR f.days_past_due <= b.max_days);
"""


def sql_pass(cr, date):
    """The close's figures of every lease in its scope on ``date``, by SQL alone, into two
    temporary tables: ``bench_sql_lines`` (days past due and penalty of each line in arrears)
    and ``bench_sql_contracts`` (days past due, amount overdue, penalty and bucket of each lease).
    Return the number of leases."""
    cr.execute("DROP TABLE IF EXISTS bench_sql_lines, bench_sql_contracts")
    cr.execute(SQL_PASS, {"date": date})
    cr.execute("SELECT count(*) FROM bench_sql_contracts")
    return cr.fetchone()[0]


def mismatches(cr):
    """How many leases and schedule lines have other figures from the close than from the SQL
    pass (run before, same transaction): ``(leases, lines)``."""
    cr.execute(
        """
        SELECT count(*)
          FROM bench_sql_contracts s JOIN leasing_contract c ON c.id = s.id
         WHERE COALESCE(c.days_past_due, 0) != s.days_past_due
            OR c.aging_bucket_id IS DISTINCT FROM s.bucket_id
            OR COALESCE(c.amount_in_arrears, 0) != s.amount_overdue
            OR COALESCE(c.penalty_accrued, 0) != s.penalty_accrued
            -- What the close leaves due: accrued, less what the ledger shows billed and waived.
            OR COALESCE(c.penalty_due, 0) != s.penalty_accrued - (
                   SELECT COALESCE(SUM(COALESCE(l.penalty_invoiced, 0) + COALESCE(l.penalty_waived, 0)), 0)
                     FROM leasing_schedule_line l WHERE l.contract_id = c.id)
        """
    )
    contracts = cr.fetchone()[0]
    cr.execute(
        """
        SELECT count(*)
          FROM (SELECT l.id, COALESCE(l.days_past_due, 0) AS dpd, COALESCE(l.penalty_accrued, 0) AS penalty
                  FROM leasing_schedule_line l JOIN bench_sql_contracts c ON c.id = l.contract_id
                 WHERE COALESCE(l.days_past_due, 0) != 0 OR COALESCE(l.penalty_accrued, 0) != 0) l
          FULL JOIN (SELECT id, days_past_due AS dpd, penalty FROM bench_sql_lines
                      WHERE days_past_due != 0 OR penalty != 0) s ON s.id = l.id
         WHERE l.id IS NULL OR s.id IS NULL OR l.dpd != s.dpd OR l.penalty != s.penalty
        """
    )
    return contracts, cr.fetchone()[0]


def close_figures(cr):
    """A digest of everything the close set (leases, lines, history): two closes gave the same
    figures when their digests are equal. Also the counts: leases overdue, lines with figures,
    history rows."""
    cr.execute(
        """
        SELECT md5(string_agg(concat_ws(',', id, days_past_due, aging_bucket_id, amount_in_arrears::numeric(16, 2),
                                         penalty_accrued::numeric(16, 2), penalty_due::numeric(16, 2), close_date),
                              ';' ORDER BY id)),
               count(*) FILTER (WHERE days_past_due > 0)
          FROM leasing_contract WHERE close_date IS NOT NULL
        """
    )
    contracts, overdue = cr.fetchone()
    cr.execute(
        """
        SELECT md5(string_agg(concat_ws(',', id, days_past_due, penalty_accrued::numeric(16, 2),
                                         penalty_due::numeric(16, 2)), ';' ORDER BY id)),
               count(*)
          FROM leasing_schedule_line WHERE days_past_due != 0 OR penalty_accrued != 0
        """
    )
    lines, line_count = cr.fetchone()
    cr.execute(
        """
        SELECT md5(string_agg(concat_ws(',', contract_id, date, bucket_before_id, bucket_after_id, days_past_due,
                                         amount_overdue::numeric(16, 2)),
                              ';' ORDER BY contract_id, date, id)),
               count(*)
          FROM leasing_aging_history
        """
    )
    history, history_count = cr.fetchone()
    return {
        "digest": md5_join(contracts, lines, history),
        "overdue_contracts": overdue,
        "lines": line_count,
        "history": history_count,
    }


def md5_join(*parts):
    import hashlib

    return hashlib.md5("/".join(str(part) for part in parts).encode()).hexdigest()[:12]


# ----------------------------------------------------------------------
# Building the bench database
# ----------------------------------------------------------------------
def _drop_indexes(cr, tables):
    """Drop the secondary indexes of ``tables`` (not the primary keys, not the unique ones);
    return their definitions, to build them again."""
    cr.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
         WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique
        """,
        (list(tables),),
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def _drop_foreign_keys(cr, tables):
    """Drop the foreign keys of ``tables`` (checked row by row on insert); return what adds them
    back (checked then in one pass each)."""
    cr.execute(
        """
        SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)
          FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """,
        (list(tables),),
    )
    constraints = cr.fetchall()
    for name, table, _definition in constraints:
        cr.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_identifier(name)}")
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {_identifier(name)} {definition}"
        for name, table, definition in constraints
    ]


def build(env, contracts, log=print):
    """Fill the (fresh) database of ``env`` with the bench's ``contracts`` leases; commit."""
    import time

    cr = env.cr
    begin = time.perf_counter()
    specs = prototype_specs()
    counts = clone_counts(specs, contracts)
    prototypes = build_prototypes(env, specs)
    cr.commit()
    log(f"  {len(prototypes)} prototype leases made through the ORM in {time.perf_counter() - begin:.0f} s")
    begin = time.perf_counter()
    partners = env["res.partner"].create([{"name": f"Bench lessee {i}"} for i in range(BENCH_PARTNERS)])
    env.flush_all()
    keys = foreign_keys(cr)
    definitions = _drop_indexes(cr, BULK_TABLES) + _drop_foreign_keys(cr, BULK_TABLES)
    written = clone(cr, dict(zip(prototypes.ids, counts)), partners.ids, keys)
    log(
        f"  cloned by SQL in {time.perf_counter() - begin:.0f} s: "
        + ", ".join(f"{rows:,} {table}" for table, rows in written.items() if rows)
    )
    begin = time.perf_counter()
    for definition in definitions:
        cr.execute(definition)
    cr.commit()
    log(f"  {len(definitions)} indexes and foreign keys built again in {time.perf_counter() - begin:.0f} s")
    cr.execute("ANALYZE")
    log(f"  the close of the day before, the leases' first: {first_close(env):.0f} s")
    return written
