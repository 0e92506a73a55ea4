"""The fast subset of scripts/stress: every scenario, at a size that fits in CI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.factory import REPO
from tests.servers import postgres_bin

pytestmark = pytest.mark.system


def test_no_acknowledged_submission_is_lost_under_faults():
    if postgres_bin() is None:
        pytest.skip("Debian's postgresql is not installed (scripts/install-system-deps)")
    result = subprocess.run([sys.executable, "-m", "tests.stress", "--db", "both",
                             "--submissions", "80", "--clients", "8", "--workers", "2",
                             "--max-seconds", "240", "--hostile", "150"], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-2000:]
    assert "FAIL" not in out
    for line in ("PASS  a killed worker was replaced", "PASS  PostgreSQL restarted mid-load",
                 "PASS  the disk filled up (503 answers)",
                 "PASS  every acknowledged submission was stored",
                 "PASS  no formula cell in the CSV", "PASS  no header injection in the e-mails",
                 "PASS  hostile YAML, deep nesting", "PASS  hostile YAML, billion laughs",
                 "PASS  every hostile request got the 4xx its fault calls for"):
        assert line in out, out[-4000:]
    summary = out.split("Summary", 1)[1]
    for scenario in ("load + faults (sqlite)", "load + faults (postgresql)",
                     "hostile submissions (sqlite)", "disk full (sqlite)",
                     "hostile YAML for carta check"):
        assert scenario in summary
