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
    source = Path(path).read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    uses: dict[str, set[str]] = {}  # function -> the names its body mentions
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            uses[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if _OUTSIDE.search("\n".join(lines[node.lineno - 1:node.end_lineno])):
                found.add(node.name)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            other = Path(__file__).parent / (node.module.split(".", 1)[1] + ".py")
            if other.is_file() and str(other) != path:
                names = _outside_names(str(other))
                found |= {a.asname or a.name for a in node.names if a.name in names}
    changed = True
    while changed:  # a function that calls one that leaves the process leaves it too
        grown = {name for name, used in uses.items() if name not in found and used & found}
        found |= grown
        changed = bool(grown)
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


@pytest.fixture(autouse=True, scope="session")
def _migrated_sqlite_once(tmp_path_factory):
    """A new SQLite database brought to the newest migration is the same file every time:
    the first is made by Alembic, the others are copied from it with SQLite's backup API
    (about 0.15 s an app saved). Only an empty database at ``head`` is copied; the tests of the
    migrations themselves (other revisions, downgrades, older databases) run Alembic."""
    import sqlite3

    from sqlalchemy import create_engine, inspect

    from form_backend import migrate

    real = migrate.upgrade
    template = tmp_path_factory.mktemp("migrated") / "head.db"

    def upgrade(engine, revision: str = "head") -> None:
        url = engine.url
        if (revision != "head" or url.get_backend_name() != "sqlite" or not url.database
                or url.database == ":memory:" or inspect(engine).get_table_names()):
            return real(engine, revision)
        if not template.exists():
            scratch = create_engine(f"sqlite:///{template}")
            real(scratch)
            scratch.dispose()
        source = sqlite3.connect(template)
        try:
            with engine.connect() as connection:
                source.backup(connection.connection.driver_connection)
        finally:
            source.close()

    migrate.upgrade = upgrade
    yield
    migrate.upgrade = real
