"""`make bench` (d) and (e): the collections close over a large portfolio.

(d) the close of every lease (100,000 by default, 60 instalments each), run as Odoo's cron
    runner runs it (one call per chunk of 500 leases, committed after each call), in a process
    of its own, against one pure-SQL pass computing the same figures over the same rows; the
    close's peak memory (RSS) as it goes; the close's figures checked against the SQL pass's.
(e) the same close by two processes at once (each running the cron's calls, sharing the day's
    run) against one: the same figures, and the wall time.

``LEASING_BENCH_PROFILE=/tmp/close.prof`` profiles each closing process (cProfile, one file a
process: ``/tmp/close.prof.<pid>``).

The bench database (``leasing_bench_<key>``, see scripts/leasing.sh) is built once by
``bench/run.py --build-close-database`` (bench/close_data.py) and kept; every close timed here
starts from its rows as built (the close's figures, runs and history are reset before each).
"""

import cProfile
import json
import os
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

from bench import close_data

ROOT = Path(__file__).resolve().parent.parent
# Where the close reports its memory: after this share of the leases.
RSS_POINTS = (0.1, 0.5, 1.0)


_REGISTRIES = {}


def get_registry(config, database):
    """Odoo's registry of ``database`` (the configuration is parsed once per process)."""
    import odoo

    if not _REGISTRIES:
        odoo.tools.config.parse_config(["-c", config, "-d", database, "--log-level=warn"])
    if database not in _REGISTRIES:
        _REGISTRIES[database] = odoo.modules.registry.Registry(database)
    return _REGISTRIES[database]


@contextmanager
def _cursor(database):
    """A plain connection to ``database`` (no registry), committed by the caller."""
    import odoo

    with closing(odoo.sql_db.db_connect(database).cursor()) as cr:
        yield cr


def _rss_mb():
    """(current, peak) resident memory of this process, in MB (/proc: VmRSS, VmHWM)."""
    memory = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _sep, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                memory[key] = int(value.split()[0]) / 1024
    return memory["VmRSS"], memory["VmHWM"]


# ----------------------------------------------------------------------
# Building, resetting
# ----------------------------------------------------------------------
def build_database(config, database, contracts):
    from odoo.api import SUPERUSER_ID, Environment

    registry = get_registry(config, database)
    begin = time.perf_counter()
    print(f"building the bench database {database} with {contracts:,} leases (once)", flush=True)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        close_data.build(env, contracts, log=lambda text: print(text, flush=True))
    _vacuum(database)
    print(f"  built in {time.perf_counter() - begin:.0f} s", flush=True)


def _vacuum(database):
    with _cursor(database) as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")


def _reset(database):
    with _cursor(database) as cr:
        close_data.reset_close(cr)
        cr.commit()
    with _cursor(database) as cr:
        cr._cnx.autocommit = True
        cr.execute(
            "VACUUM ANALYZE leasing_contract, leasing_schedule_line, leasing_aging_history, leasing_close_run,"
            " leasing_close_run_chunk"
        )


def _start_runs(registry):
    """Start the day's run of every company with leases to close (as the cron's first call
    would), so that the workers share them from their first call."""
    from odoo.api import SUPERUSER_ID, Environment

    with close_data.bench_day(close_data.CLOSE_DATE), registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        Run = env["leasing.close.run"]
        for company in env["res.company"].search([]):
            Run._daily_run(company, close_data.CLOSE_DATE)


# ----------------------------------------------------------------------
# The closing process
# ----------------------------------------------------------------------
def worker(config, database):
    """Run the close as Odoo's cron runner does, call after call (each committed) until the day's
    run is done; print, as JSON: when it began and ended, the leases closed, the calls made again
    after finding nothing to lock, the memory at RSS_POINTS. It starts when it reads a line on
    its standard input (once every process is ready)."""
    from odoo.api import SUPERUSER_ID, Environment

    registry = get_registry(config, database)
    with close_data.bench_day(close_data.CLOSE_DATE), registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM leasing_contract WHERE state = 'active' OR days_past_due > 0")
        total = cr.fetchone()[0]
        cr.commit()
        print("ready", flush=True)
        sys.stdin.readline()
        points, closed, memory, retries = list(RSS_POINTS), 0, [], 0
        profile = os.environ.get("LEASING_BENCH_PROFILE")
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
        began, begin = time.time(), time.perf_counter()
        while True:
            done = env["leasing.contract"]._cron_collections_close()
            cr.commit()
            closed += done
            if not done:
                # Nothing this process may lock while the day's run is under way (another holds
                # the leases left, or closed them since its snapshot): the close asks the cron to
                # call again in a minute; the bench calls again at once.
                cr.execute(
                    "SELECT count(*) FROM leasing_close_run WHERE state = 'running' AND date = %s",
                    (close_data.CLOSE_DATE,),
                )
                running = cr.fetchone()[0]
                cr.commit()
                if running:
                    retries += 1
                    time.sleep(0.2)
                    continue
            while points and (closed >= points[0] * total or not done):
                memory.append((points.pop(0), round(time.perf_counter() - begin, 1), *map(round, _rss_mb())))
            if not done:
                break
        elapsed = time.perf_counter() - begin
        if profile:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{os.getpid()}")
    report = {
        "began": began,
        "ended": began + elapsed,
        "elapsed": elapsed,
        "closed": closed,
        "retries": retries,
        "memory": memory,
    }
    print(json.dumps(report), flush=True)


def _run_workers(config, database, count):
    """Start the day's runs, then ``count`` closing processes at once; return their reports and
    the wall time from the start of the first to the end of the last."""
    _start_runs(get_registry(config, database))
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--close-worker", "--config", config]
    command += ["--database", database]
    processes = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(count)
    ]
    # Odoo's registry loads in each process first; the close starts in all of them at once.
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a closing process could not start")
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = []
    for process in processes:
        out, _err = process.communicate()
        if process.returncode:
            raise RuntimeError(f"a closing process failed (exit {process.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(report["ended"] for report in reports) - min(report["began"] for report in reports)
    with _cursor(database) as cr:
        cr.execute("SELECT count(*) FROM leasing_close_run WHERE state != 'done'")
        unfinished = cr.fetchone()[0]
    if unfinished:
        raise RuntimeError(f"{unfinished} runs of the close are not done after the closing processes")
    return reports, wall


def _figures(database):
    with _cursor(database) as cr:
        return close_data.close_figures(cr)


def bench_close(config, database, parts):
    """Print the figures of (d) and/or (e) (``parts``) on the bench database."""
    with _cursor(database) as cr:
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM leasing_contract"
            " WHERE state = 'active' OR days_past_due > 0"
        )
        leases, _active = cr.fetchone()
        cr.execute("SELECT count(*) FROM leasing_schedule_line")
        lines = cr.fetchone()[0]
    if "d" in parts:
        _reset(database)
        with _cursor(database) as cr:
            begin = time.perf_counter()
            close_data.sql_pass(cr, close_data.CLOSE_DATE)
            sql_time = time.perf_counter() - begin
            cr.execute("SELECT count(*) FROM bench_sql_contracts WHERE days_past_due > 0")
            overdue = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM bench_sql_lines")
            arrears_lines = cr.fetchone()[0]
            cr.commit()
        (single,), _wall = _run_workers(config, database, 1)
        with _cursor(database) as cr:
            close_data.sql_pass(cr, close_data.CLOSE_DATE)
            bad_contracts, bad_lines = close_data.mismatches(cr)
        single["figures"] = _figures(database)
        memory = ", ".join(f"{share:.0%} {rss:,} MB" for share, _t, rss, _peak in single["memory"])
        peak = max(row[3] for row in single["memory"])
        with _cursor(database) as cr:
            cr.execute("SELECT first_close FROM bench_saved_mark")
            first = cr.fetchone()[0]
        print(
            f"(d) the daily close of {leases:,} leases ({lines:,} schedule lines; {overdue:,} overdue, "
            f"{arrears_lines:,} instalments in arrears; closed the day before): close {single['elapsed']:,.1f} s "
            f"({single['closed'] / single['elapsed']:,.0f} leases/s), one SQL pass {sql_time:,.1f} s, "
            f"ratio {single['elapsed'] / sql_time:.1f}x (target <= 3x)\n"
            f"    RSS of the closing process after {memory}; peak {peak:,} MB\n"
            f"    figures of the close against the SQL pass: {bad_contracts} leases and {bad_lines} lines differ "
            f"(must be 0); {single['figures']['history']:,} history rows in all\n"
            f"    (the leases' first close, the day before, from each one's start: {first:,.0f} s, at the build)",
            flush=True,
        )
    if "e" in parts:
        # One process against two from the same rows: the reset puts the figures back, not what
        # a close leaves besides them (reminders sent, penalty invoices, ratings, warnings), so
        # the single close of (d), the first of the day, is no match for a later one.
        _reset(database)
        (single,), _wall = _run_workers(config, database, 1)
        single["figures"] = _figures(database)
        _reset(database)
        reports, wall = _run_workers(config, database, 2)
        figures = _figures(database)
        same = figures == single["figures"]
        each = ", ".join(
            f"{report['elapsed']:,.1f} s for {report['closed']:,} leases, {report['retries']} calls again"
            for report in reports
        )
        print(
            f"(e) the same close by two processes at once: {wall:,.1f} s (each: {each}) "
            f"against one process: {single['elapsed']:,.1f} s; "
            f"same figures: {'yes' if same else 'NO'} ({figures['digest']} / {single['figures']['digest']})",
            flush=True,
        )
        if not same:
            print(f"    two processes: {figures}\n    one process:   {single['figures']}", flush=True)
