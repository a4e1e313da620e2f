"""Benchmark of the pure-Python schedule engine.

Run ``python bench/bench_engine.py``. ``main()`` returns the number of
60-period schedules computed per second, so other scripts can call it.
"""

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests._engine import engine  # noqa: E402

METHODS = ("annuity", "equal_principal", "interest_only")
TIMINGS = ("arrears", "advance")
TERM = 60


def make_cases(count, seed=20240131):
    """Varied 60-period contracts: every method and timing, start dates over
    ten years (month ends included), a residual on a third of them."""
    rng = random.Random(seed)
    first = date(2020, 1, 1)
    cases = []
    for i in range(count):
        financed = rng.randint(100_000, 10_000_000) / 100
        cases.append(
            (
                financed,
                rng.randint(0, 200_000) / 10_000,  # 0 .. 20 % with 4 decimals
                TERM,
                1,
                METHODS[i % 3],
                TIMINGS[(i // 3) % 2],
                first + timedelta(days=rng.randrange(3653)),
                round(financed * rng.uniform(0.05, 0.4), 2) if (i // 6) % 3 == 0 else 0.0,
            )
        )
    return cases


def run(cases):
    compute = engine.compute_schedule
    start = time.perf_counter()
    for financed, rate, term, period, method, timing, start_date, residual in cases:
        compute(financed, rate, term, period, method, timing, start_date, residual)
    return time.perf_counter() - start


def main(count=20_000, repeat=5, verbose=True):
    """Time ``count`` schedules ``repeat`` times; return the best rate (per s)."""
    cases = make_cases(count)
    run(cases[:1000])  # warm-up
    best = min(run(cases) for _ in range(repeat))
    rate = count / best
    if verbose:
        print(
            "engine: %d-period schedules/s: %d (n=%d, annuity/equal_principal/"
            "interest_only mixed, arrears/advance, with residual on a third)" % (TERM, rate, count)
        )
    return rate


if __name__ == "__main__":
    main()
