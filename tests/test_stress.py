"""The fast subset of scripts/stress: a small load with SMTP down and a worker killed."""

from __future__ import annotations

import subprocess
import sys

from tests.factory import REPO


def test_no_acknowledged_submission_is_lost_under_faults():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "stress"),
                             "--submissions", "80", "--clients", "8", "--workers", "2",
                             "--max-seconds", "240", "--hostile", "150"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "FAIL" not in result.stdout
    assert "PASS  a worker was killed" in result.stdout
