"""python -m loyalty_demo --customers N --months M --seed S --out DIR [...]"""

from __future__ import annotations

import argparse
import re
import sys
import time

from . import params as P
from .generator import generate, total_bytes


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError("expected YYYY-MM")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m loyalty_demo", description=__doc__)
    ap.add_argument(
        "--customers", type=int, required=True, help="accounts in total (base + acquired)"
    )
    ap.add_argument(
        "--months", type=int, required=True, help="months of data, ending at --end-month"
    )
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True, help="folder to write <system>/<entity> files into")
    ap.add_argument(
        "--end-month", type=_month, default="2026-10", help="last month of data (default 2026-10)"
    )
    ap.add_argument("--currency", choices=sorted(P.CURRENCY_RATES), default="ZAR")
    ap.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--chunk-size", type=int, default=50_000, help="accounts simulated at once")
    ap.add_argument("--no-check", action="store_true", help="skip the contract self-check")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    counts = generate(
        args.customers,
        args.months,
        args.seed,
        args.out,
        end_month=args.end_month,
        currency=args.currency,
        fmt=args.fmt,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
        check=not args.no_check,
    )
    secs = time.perf_counter() - start
    width = max(map(len, counts))
    for key, rows in counts.items():
        print(f"{key:<{width}}  {rows:>12,}", file=sys.stderr)
    print(
        f"{'total':<{width}}  {sum(counts.values()):>12,} rows, "
        f"{total_bytes(args.out) / 1e6:.1f} MB in {secs:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
