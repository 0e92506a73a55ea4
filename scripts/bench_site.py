#!/usr/bin/env python3
"""Benchmark the site build and the live preview (not a test; all figures from one run).

Preview latency: `carta preview` on the shipped charter and on a 300-scheda one; an edit is a
word changed in services/telesoccorso.yaml, the latency runs from the save until the page,
reloaded as the browser's live-reload script would, shows the new word (median of --edits).
Full build: `carta build --no-pdf` at 100 and 1000 schede against a bare `mkdocs build` of the
same generated pages (same plugins, no hook, static-i18n building the languages one by one),
and `carta build` again after one scheda changed (incremental).
With --baseline REV, the same measures are taken in the same run with the carta of git
revision REV (its preview being `mkdocs serve`, as its README said), both on the charter as it
was at REV, and the ratios printed.
Synthetic charters are the shipped schede cloned under new codes, four languages each.

Wall-clock times on a shared machine vary; builds are repeated in turns and the best kept, and
CPU seconds are printed beside them.

Usage: .venv/bin/python scripts/bench_site.py [--baseline REV] [--sizes 100,1000]
       [--preview-sizes shipped,300] [--edits 5] [--repeat 2] [--count-calls]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SCHEDA = "services/telesoccorso.yaml"


CHARTER = REPO  # where the shipped charter is copied from: with --baseline, its revision's


def synthetic(root: Path, n: int | None) -> Path:
    """A copy of the shipped charter with ``n`` schede (all the shipped ones when None)."""
    shutil.copytree(CHARTER / "content", root / "content")
    (root / "services").mkdir(parents=True)
    originals = sorted((CHARTER / "services").glob("*.yaml"))
    n = len(originals) if n is None else n
    for i in range(n):
        src = originals[i % len(originals)]
        if i < len(originals):
            shutil.copy(src, root / "services" / src.name)
            continue
        text = src.read_text(encoding="utf-8")
        code_line = next(line for line in text.splitlines() if line.startswith("code:"))
        code = yaml.safe_load(code_line)["code"]
        text = text.replace(code_line, f"code: {code}-{i}", 1)
        (root / "services" / f"{src.stem}-{i}.yaml").write_text(text, encoding="utf-8")
    return root


class Code:
    """A version of carta to run: this checkout, or a git revision extracted to a folder."""

    def __init__(self, name: str, path: Path):
        self.name, self.path = name, path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.path), "NO_MKDOCS_2_WARNING": "1"}

    def run(self, *args: str) -> tuple[float, float]:
        """Wall-clock and CPU seconds (worker processes included) of one command, as
        /usr/bin/time measures them."""
        with tempfile.NamedTemporaryFile("r") as out:
            # cwd: Python puts it before PYTHONPATH, so it must not hold another carta
            subprocess.run(["/usr/bin/time", "-f", "%e %U %S", "-o", out.name, sys.executable,
                            *args], check=True, capture_output=True, env=self.env,
                           cwd=self.path)
            wall, user, system = (float(x) for x in out.read().split()[-3:])
        return wall, user + system


def extract(rev: str, into: Path) -> Code:
    into.mkdir(parents=True)
    # README too: it says whether that revision has `carta preview`
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "carta", "form_backend",
                              "content", "services", "README.md"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return Code(rev, into)


# --- full build --------------------------------------------------------------------------------

def full_build(code: Code, root: Path) -> tuple[float, float]:
    site = root / f"site-{code.name}"
    return code.run("-m", "carta", "build", "--no-pdf", "--root", str(root),
                    "--site-dir", str(site))


def bare_build(code: Code, root: Path) -> float:
    """MkDocs alone on the pages ``code`` generated last (its build folder), no hook."""
    from carta.website.build import default_build_dir

    # carta keeps its work files in a cache folder; versions before that, in ROOT/build/site
    folders = [default_build_dir(root), root / "build" / "site"]
    folder = max((f for f in folders if (f / "mkdocs.yml").exists()),
                 key=lambda f: (f / "mkdocs.yml").stat().st_mtime)
    config = yaml.safe_load((folder / "mkdocs.yml").read_text())
    config.pop("hooks")
    config["site_dir"] = str(root / "site-bare")
    config["extra"].pop("carta_generated", None)
    bare_file = root / "build" / "bare.yml"
    bare_file.parent.mkdir(parents=True, exist_ok=True)
    bare_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return code.run("-m", "mkdocs", "build", "-q", "-f", str(bare_file))[0]


_CALLS = """
import cProfile, pstats, sys
from pathlib import Path
from carta.website.build import build
root = Path(sys.argv[1])
profile = cProfile.Profile()
profile.runcall(build, root, root / "site-calls", pdfs=False, jobs=1)
print(pstats.Stats(profile).total_calls)
"""


def calls(code: Code, root: Path) -> int:
    """Python function calls of one build of ``root`` in one process: the work done, which,
    unlike seconds, other programs on the machine cannot change."""
    run = subprocess.run([sys.executable, "-c", _CALLS, str(root)], capture_output=True,
                         text=True, env=code.env, cwd=code.path)
    if run.returncode:
        raise RuntimeError(f"counting calls failed: {run.stderr[-3000:]}")
    return int(run.stdout.split()[-1])


# --- preview -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 600) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def preview_latencies(code: Code, root: Path, edits: int, new: bool) -> list[float]:
    """Seconds from each save until the reloaded page shows it."""
    port = free_port()
    env = {**code.env, "XDG_CACHE_HOME": str(root / "cache")}
    if new:
        cmd = [sys.executable, "-m", "carta", "preview", "--root", str(root), "--port", str(port)]
    else:  # before `carta preview`: `mkdocs serve` on the project's mkdocs.yml
        text = subprocess.run([sys.executable, "-m", "carta", "mkdocs-yml", "--root", str(root)],
                              check=True, capture_output=True, text=True, env=env,
                              cwd=code.path).stdout
        (root / "mkdocs.yml").write_text(text, encoding="utf-8")
        (root / "carta").symlink_to(code.path / "carta")
        (root / "docs" / "generated").mkdir(parents=True)
        cmd = [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"),
               "-a", f"127.0.0.1:{port}"]
    log = root / f"preview-{code.name}.log"
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}/servizi/telesoccorso/"
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                page = get(url, timeout=5)
                if "livereload(" in page:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"preview did not start: {log.read_text()}")
            time.sleep(0.5)
        time.sleep(3)  # let start-up work settle
        file = root / SCHEDA
        latencies = []
        for i in range(edits):
            page = get(url)
            epoch = int(re.search(r"livereload\((\d+),", page)[1])
            word = f"bench{i}x"
            text = file.read_text(encoding="utf-8")
            text = re.sub(r"24 ore su 24(?: bench\d+x)?,", f"24 ore su 24 {word},", text, count=1)
            start = time.perf_counter()
            file.write_text(text, encoding="utf-8")
            while True:
                answer = get(f"http://127.0.0.1:{port}/livereload/{epoch}/{i}")
                epoch = max(epoch, int(answer))
                if word in get(url):
                    break
            latencies.append(time.perf_counter() - start)
            # let the rest (other languages; mkdocs serve's second build) finish before the
            # next save, as an editor reading the page would
            time.sleep(max(3.0, 1.5 * latencies[-1]))
        return latencies
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=None, metavar="REV",
                        help="also measure the carta of this git revision")
    parser.add_argument("--now", default=None, metavar="REV",
                        help="measure the carta of this git revision instead of the checkout")
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--preview-sizes", default="shipped,300")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--count-calls", action="store_true",
                        help="also count the function calls of a build at the first size "
                             "(work done, immune to other load; slow)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="cold builds per size and revision, taking turns (best kept)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    preview_sizes = [x for x in args.preview_sizes.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        codes = [Code("now", REPO) if not args.now else extract(args.now, tmp_path / "now")]
        codes[0].name = "now"
        if args.baseline:
            codes.append(extract(args.baseline, tmp_path / "baseline"))
            # the same input for both: the charter as it was at the baseline revision
            global CHARTER
            CHARTER = codes[-1].path
        results: dict[tuple[str, str], dict[str, float]] = {}
        for size in preview_sizes:
            n = None if size == "shipped" else int(size)
            for code in codes:
                root = synthetic(tmp_path / f"preview-{size}-{code.name}", n)
                # `carta preview` where that revision's README says so, else `mkdocs serve`
                new = "carta preview" in (code.path / "README.md").read_text(encoding="utf-8")
                # the old preview takes a minute an edit at 300 schede: fewer edits
                edits = args.edits if new or n is None else min(args.edits, 2)
                lat = preview_latencies(code, root, edits, new)
                results[("preview", size)] = {**results.get(("preview", size), {}),
                                              code.name: statistics.median(lat)}
                print(f"preview {size:>7} {code.name:>8}: median {statistics.median(lat):6.2f} s"
                      f"  ({', '.join(f'{x:.2f}' for x in lat)})", flush=True)
        for n in sizes:
            row = results.setdefault(("build", str(n)), {})
            roots = {c.name: synthetic(tmp_path / f"build-{n}-{c.name}", n) for c in codes}
            for _ in range(args.repeat):
                for code in codes:  # taking turns, so that both meet the same machine
                    root = roots[code.name]
                    # cold: no earlier build (work files live in a cache folder since 0.1)
                    from carta.website.build import default_build_dir

                    shutil.rmtree(root / "build", ignore_errors=True)
                    shutil.rmtree(default_build_dir(root), ignore_errors=True)
                    wall, cpu = full_build(code, root)
                    if wall < row.get(code.name, float("inf")):
                        row[code.name], row[f"cpu-{code.name}"] = wall, cpu
            row["bare"] = bare_build(codes[0], roots["now"])
            for code in codes:  # the same build again after one scheda changed
                file = roots[code.name] / SCHEDA
                file.write_text(file.read_text(encoding="utf-8").replace(
                    "24 ore su 24", "24 ore su 24 (sempre)", 1), encoding="utf-8")
                row[f"again-{code.name}"], row[f"again-cpu-{code.name}"] = full_build(
                    code, roots[code.name])
            for code in codes:
                print(f"build {n:>5} schede {code.name:>8}: best of {args.repeat} "
                      f"{row[code.name]:6.1f} s ({row[f'cpu-{code.name}']:.1f} s CPU); after one "
                      f"edit {row[f'again-{code.name}']:6.1f} s "
                      f"({row[f'again-cpu-{code.name}']:.1f} s CPU)", flush=True)
            print(f"build {n:>5} schede bare mkdocs: {row['bare']:6.1f} s", flush=True)
            if args.count_calls and n == sizes[0]:
                for code in codes:  # cold, then after one more edit
                    root = roots[code.name]
                    shutil.rmtree(root / "build", ignore_errors=True)
                    cold = calls(code, root)
                    file = root / SCHEDA
                    file.write_text(file.read_text(encoding="utf-8").replace(
                        "24 ore su 24", "24 ore su 24 (ancora)", 1), encoding="utf-8")
                    edit = calls(code, root)
                    row[f"calls-{code.name}"], row[f"again-calls-{code.name}"] = cold, edit
                    print(f"build {n:>5} schede {code.name:>8}: {cold / 1e6:.1f} M function "
                          f"calls cold, {edit / 1e6:.1f} M after one edit", flush=True)
    print()
    print(f"{'measure':<28} {'now s':>8}" + (f" {'baseline s':>11} {'before/now':>11}"
                                               if args.baseline else ""))
    lines = []
    for (kind, size), row in results.items():
        lines.append((f"{kind} {size}" + (" (median)" if kind == "preview" else ""),
                      row["now"], row.get(args.baseline)))
        if kind == "build":
            lines.append((f"  CPU seconds of build {size}", row["cpu-now"],
                          row.get(f"cpu-{args.baseline}")))
            lines.append((f"  bare mkdocs build {size}", row["bare"], None))
            lines.append((f"  build {size} after one edit", row["again-now"],
                          row.get(f"again-{args.baseline}")))
            lines.append(("  CPU seconds of that", row["again-cpu-now"],
                          row.get(f"again-cpu-{args.baseline}")))
            if "calls-now" in row:
                lines.append((f"  M calls, build {size} (1 job)", row["calls-now"] / 1e6,
                              row.get(f"calls-{args.baseline}", 0) / 1e6))
                lines.append(("  M calls after one edit", row["again-calls-now"] / 1e6,
                              row.get(f"again-calls-{args.baseline}", 0) / 1e6))
    for label, now, base in lines:
        print(f"{label:<28} {now:8.2f}" + (f" {base:11.2f} {base / now:10.1f}x" if base else ""))
    builds = [(size, row) for (kind, size), row in results.items() if kind == "build"]
    if len(builds) >= 2:
        (a, ra), (b, rb) = builds[0], builds[-1]
        print(f"growth t({b})/t({a}) = {rb['now'] / ra['now']:.1f} for "
              f"{int(b) // int(a)}x the schede")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
