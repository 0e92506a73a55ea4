#!/usr/bin/env python3
"""Benchmark the site build (not a test): our build vs a bare `mkdocs build` of the same pages.

Builds the shipped charter and synthetic charters of 100 and 1000 schede (the shipped schede
cloned under new codes), four languages each, without PDFs.  For each: t(carta) is the whole
`carta build` (load YAML, validate, generate pages, MkDocs + Material + static-i18n); t(bare)
is MkDocs alone on the already generated docs, same plugins, no hook.  Prints the ratios
measured in this one run.  Usage: .venv/bin/python scripts/bench_site.py [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def synthetic(root: Path, n: int) -> Path:
    """A copy of the shipped charter with ``n`` schede."""
    shutil.copytree(REPO / "content", root / "content")
    (root / "services").mkdir(parents=True)
    originals = sorted((REPO / "services").glob("*.yaml"))
    for i in range(n):
        src = originals[i % len(originals)]
        if i < len(originals):
            shutil.copy(src, root / "services" / src.name)
            continue
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
        data["code"] = f"{data['code']}-{i}"
        text = src.read_text(encoding="utf-8")
        code_line = next(line for line in text.splitlines() if line.startswith("code:"))
        text = text.replace(code_line, f"code: {data['code']}", 1)
        (root / "services" / f"{src.stem}-{i}.yaml").write_text(text, encoding="utf-8")
    return root


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(root: Path) -> tuple[float, float]:
    site = root / "site"
    ours = timed([sys.executable, "-m", "carta", "build", "--no-pdf", "--root", str(root),
                  "--site-dir", str(site)])
    config = yaml.safe_load((root / "build" / "site" / "mkdocs.yml").read_text())
    config.pop("hooks")
    config["site_dir"] = str(root / "site-bare")
    config["nav"] = [p for p in config.get("nav") or []] or None
    from carta.load import load_charter
    from carta.render_site import nav

    config["nav"] = nav(load_charter(root))
    bare_file = root / "build" / "bare.yml"
    bare_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    bare = timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(bare_file)])
    return ours, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        synthetic(shipped, len(list((REPO / "services").glob("*.yaml"))))
        rows.append(("shipped", *measure(shipped)))
        for n in sizes:
            rows.append((str(n), *measure(synthetic(Path(tmp) / f"n{n}", n))))
    print(f"{'schede':>8} {'carta s':>9} {'bare s':>9} {'overhead':>9}")
    for name, ours, bare in rows:
        print(f"{name:>8} {ours:9.1f} {bare:9.1f} {ours / bare:8.2f}x")
    if len(sizes) >= 2:
        t = {name: ours for name, ours, _ in rows}
        a, b = str(sizes[0]), str(sizes[-1])
        print(f"growth t({b})/t({a}) = {t[b] / t[a]:.1f} for {int(b) // int(a)}x the schede")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
