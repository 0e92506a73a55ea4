#!/usr/bin/env python3
"""Benchmark printing (not a test): the whole binder and every sheet, with 1 and with 2 cores.

Runs `print_charter` on the shipped charter twice in one process run, --jobs 1 then --jobs N
(default: all cores), and prints seconds, pages and the speed-up ratio.
Usage: .venv/bin/python scripts/bench_print.py [--lang it]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from carta.print.build import page_count, print_charter

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="it")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    results = {}
    for jobs in sorted({1, cores}):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            files = print_charter(REPO, Path(tmp), args.lang, jobs=jobs, progress=lambda m: None)
            seconds = time.perf_counter() - start
            pages = page_count((Path(tmp) / "carta.pdf").read_bytes())
            results[jobs] = seconds
            print(f"jobs={jobs}: {seconds:6.1f} s, {len(files)} files, binder {pages} pages")
    if len(results) > 1:
        print(f"speed-up with {cores} cores vs 1: {results[1] / results[cores]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
