"""Fixtures shared by the tests that need the real shipped charter or its built site."""

from __future__ import annotations

import ast
import functools
import re
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


# Tests that need a real build, PDFs, a browser, PostgreSQL, another process or a server on a
# port are system tests: `pytest -m "not system"` is the fast unit subset (the factory charter,
# Flask's test client, all in this process); scripts/test runs everything.
_SYSTEM_FIXTURES = {"site", "postgres", "browser", "page", "chromium"}
# what makes a test (or a helper or fixture it uses) leave this process
_OUTSIDE = re.compile(r"\bsubprocess\.|\bPopen\(|\bhttp_server\(|\bsmtp_sink\(|\bsync_playwright\b|"
                      r"\brender_pdf\(|\bprint_charter\(|\bbuild\(REPO|\bmkdocs_build\(|\bpostgres_bin\(")


@functools.cache
def _outside_names(path: str) -> frozenset[str]:
    """Names of the functions in a test module that leave the process, directly or through
    another function of the same module or a module it imports from ``tests``."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    source = Path(path).read_text(encoding="utf-8")
    bodies = {node.name: ast.get_source_segment(source, node) or ""
              for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            other = Path(__file__).parent / (node.module.split(".", 1)[1] + ".py")
            if other.is_file() and str(other) != path:
                names = _outside_names(str(other))
                imported |= {a.asname or a.name for a in node.names if a.name in names}
    found = set(imported)
    changed = True
    while changed:
        changed = False
        for name, body in bodies.items():
            if name not in found and (_OUTSIDE.search(body) or any(
                    re.search(rf"\b{re.escape(n)}\b", body) for n in found)):
                found.add(name)
                changed = True
    return frozenset(found)


def _leaves_process(item) -> bool:
    names = _outside_names(str(item.path))
    if item.originalname in names:
        return True
    for fixture in getattr(item, "fixturenames", ()):
        for definition in item._fixtureinfo.name2fixturedefs.get(fixture, ()):
            func = definition.func
            path = getattr(func, "__code__", None) and func.__code__.co_filename
            if path and path.startswith(str(Path(__file__).parent)) and \
                    func.__name__ in _outside_names(path):
                return True
    return False


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(item, "callspec", None)
        if (_SYSTEM_FIXTURES & set(getattr(item, "fixturenames", ()))
                or (params and "postgresql" in params.id) or _leaves_process(item)):
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
