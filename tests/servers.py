"""Real servers for the backend tests: the app over HTTP, PostgreSQL, an SMTP sink."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def http_server(app):
    """Serve ``app`` on 127.0.0.1 (threaded) for the duration of the block; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def smtp_sink(port: int):
    """A real SMTP server (aiosmtpd) on 127.0.0.1:``port`` that accepts everything; yields
    the list of raw messages it received, in order (still readable after it stops)."""
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL server binaries, if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


class Postgres:
    """A throwaway PostgreSQL cluster on loopback (run as the postgres user when we are root)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="carta-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data = self.dir / "data"
        self.run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "carta",
                 "-E", "UTF8", "--no-locale")
        self._ctl("start")
        return f"postgresql://carta@127.0.0.1:{self.port}/postgres"

    def _ctl(self, action: str) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-l",
                 str(self.dir / "log"), "-m", "fast",
                 "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                       "-c fsync=on -c max_connections=200", action)

    def restart(self, down_seconds: float = 2.0) -> None:
        """Stop the server (fast: open connections are cut), wait, start it again."""
        import time

        self._ctl("stop")
        time.sleep(down_seconds)
        self._ctl("start")

    def stop(self) -> None:
        try:
            self._ctl("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def new_database(self, name: str) -> str:
        self.run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", "carta", name)
        return f"postgresql://carta@127.0.0.1:{self.port}/{name}"
