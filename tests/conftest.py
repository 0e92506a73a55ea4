"""Fixtures shared by the tests that need the real shipped charter or its built site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from carta.load.charter import load_charter
from tests.factory import REPO


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carta", "build", "--root", str(root),
                           "--site-dir", str(site)], capture_output=True, text=True,
                          timeout=600)


# Tests that need a real build, PDFs, a browser, PostgreSQL or a running server are system
# tests: `pytest -m "not system"` is the fast unit subset; scripts/test runs everything.
_SYSTEM_FIXTURES = {"site", "postgres", "browser", "page", "chromium"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(item, "callspec", None)
        if (_SYSTEM_FIXTURES & set(getattr(item, "fixturenames", ()))
                or (params and "postgresql" in params.id)):
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def shipped():
    return load_charter(REPO)


@pytest.fixture(scope="session")
def site(tmp_path_factory, shipped):
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(REPO, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server from Debian's package, for the whole test session."""
    from tests.servers import Postgres, postgres_bin

    if postgres_bin() is None:
        pytest.skip("Debian's postgresql is not installed (scripts/install-system-deps)")
    server = Postgres()
    server.start()
    yield server
    server.stop()
