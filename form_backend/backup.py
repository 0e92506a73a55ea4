"""Online, consistent copies of the SQLite database (``carta backup`` / ``carta restore``).

PostgreSQL deployments use pg_dump instead (see README): the copy here is SQLite's own backup
API, which copies a consistent snapshot while the server keeps accepting submissions.  A copy
holds everything the database holds: it is written owner-only (0600), its folder created 0700.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from form_backend.db import owner_only


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///…`` URL (other databases are refused)."""
    if not url.startswith("sqlite:///"):
        raise ValueError("carta backup handles SQLite; for PostgreSQL use pg_dump (README)")
    return Path(url.removeprefix("sqlite:///"))


def backup(url: str, target: Path) -> int:
    """Copy the live database to ``target``; return the number of submissions copied."""
    source = sqlite3.connect(sqlite_path(url), timeout=60)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # before any byte
    dest = sqlite3.connect(tmp)
    try:
        source.backup(dest)
        count = dest.execute("select count(*) from submissions").fetchone()[0]
        check = dest.execute("pragma integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {check}")
    finally:
        dest.close()
        source.close()
    tmp.replace(target)
    return count


def restore(url: str, source: Path) -> int:
    """Replace the database with the backup ``source``; return its number of submissions."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("pragma integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"{source} is damaged: not restored")
        count = src.execute("select count(*) from submissions").fetchone()[0]
        owner_only(sqlite_path(url))
        dest = sqlite3.connect(sqlite_path(url), timeout=60)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    return count
