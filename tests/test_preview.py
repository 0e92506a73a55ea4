"""`carta preview`: a saved YAML file shows in the browser; a broken one shows its problems
above the last good page; one rebuild per save; nothing is written into the charter."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.factory import REPO
from tests.htmlcheck import primary_nav

pytestmark = pytest.mark.system

SCHEDA = "services/telesoccorso.yaml"
OLD = "24 ore su 24, che in caso di"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A `carta preview` process over a copy of the shipped charter."""

    def __init__(self, root: Path, log: Path, port: int, process: subprocess.Popen):
        self.root, self.log, self.port, self.process = root, log, port, process
        self.url = f"http://127.0.0.1:{port}/"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def epoch(self, path: str) -> int:
        return int(re.search(r"livereload\((\d+),", self.get(path))[1])

    def wait_reload(self, epoch: int) -> None:
        """What the page's script does: wait until the server says the site changed."""
        with urllib.request.urlopen(f"{self.url}livereload/{epoch}/1", timeout=60) as r:
            assert int(r.read()) > epoch

    def edit(self, old: str, new: str, path: str = SCHEDA) -> None:
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    def rebuilds(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines()
                if line.startswith("carta: rebuilt")]


@contextlib.contextmanager
def preview(tmp_path: Path, copy: bool = True):
    root = tmp_path / "charter"
    for folder in ("content", "services") if copy else ():
        shutil.copytree(REPO / folder, root / folder)
    port = free_port()
    log = tmp_path / "preview.log"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with open(log, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "carta", "preview", "--root", str(root), "--port", str(port)],
            stdout=err, stderr=subprocess.STDOUT, env=env)
    running = Running(root, log, port, process)
    try:
        deadline = time.monotonic() + 300
        while "carta: preview of" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "preview did not start"
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_saved_scheda_shows_after_one_rebuild_and_nothing_lands_in_the_charter(tmp_path):
    with preview(tmp_path) as p:
        before = sorted(x.relative_to(p.root) for x in p.root.rglob("*"))
        assert OLD in p.get("servizi/telesoccorso/")
        epoch = p.epoch("servizi/telesoccorso/")
        p.edit(OLD, "24 ore su 24 (anche nei festivi), che in caso di")
        p.wait_reload(epoch)
        page = p.get("servizi/telesoccorso/")
        assert "24 ore su 24 (anche nei festivi)" in page
        time.sleep(2)  # a rebuild that fed itself would show up here
        assert len(p.rebuilds()) == 1, p.log.read_text()
        assert sorted(x.relative_to(p.root) for x in p.root.rglob("*")) == before


def test_viewed_language_first_and_the_others_follow(tmp_path):
    with preview(tmp_path) as p:
        epoch = p.epoch("en/servizi/telesoccorso/")  # the editor is looking at English
        p.edit("en: Telecare (emergency alarm service)", "en: Telecare (alarm at home)")
        p.wait_reload(epoch)
        assert "Telecare (alarm at home)" in p.get("en/servizi/telesoccorso/")
        assert "in en in" in p.rebuilds()[-1]
        # the area page lists the scheda by its title too
        deadline = time.monotonic() + 30
        while "Telecare (alarm at home)" not in p.get("en/aree/anziani/"):
            assert time.monotonic() < deadline
            time.sleep(0.3)


def test_a_renamed_area_shows_in_the_navigation_of_every_page(tmp_path):
    # the schede share one rendering of the navigation: it must follow the new title
    with preview(tmp_path) as p:
        epoch = p.epoch("servizi/telesoccorso/")
        p.edit(OLD, "24 ore su 24 (anche nei festivi), che in caso di")  # the preview's pages
        p.wait_reload(epoch)                         # are now rendered by the preview itself
        assert "Persone anziane" in primary_nav(p.get("servizi/telesoccorso/"))
        epoch = p.epoch("servizi/telesoccorso/")
        p.edit("it: Persone anziane\n", "it: Persone anziane e fragili\n", "content/areas.yaml")
        p.wait_reload(epoch)
        deadline = time.monotonic() + 60
        for page in ("servizi/telesoccorso/", "servizi/assistenza-domiciliare-anziani/",
                     "aree/anziani/"):
            while "Persone anziane e fragili" not in primary_nav(p.get(page)):
                assert time.monotonic() < deadline, page
                time.sleep(0.3)


def test_yaml_error_shows_above_the_last_good_page_until_fixed(tmp_path):
    with preview(tmp_path) as p:
        epoch = p.epoch("servizi/telesoccorso/")
        p.edit("status: active", "status: [active")
        p.wait_reload(epoch)
        page = p.get("servizi/telesoccorso/")
        problems = re.search(r'<div id="carta-preview-problems" role="alert"[^>]*>(.*?)</div>',
                             page, re.S)
        assert problems, page[:2000]
        assert re.search(r"services/telesoccorso\.yaml:\d+:\d+: YAML syntax", problems[1])
        assert OLD in page  # the last good version stays visible
        assert "carta-preview-problems" in p.get("uffici/")  # on every page
        epoch = p.epoch("servizi/telesoccorso/")
        p.edit("status: [active", "status: active")
        p.wait_reload(epoch)
        assert "carta-preview-problems" not in p.get("servizi/telesoccorso/")


def test_invalid_value_is_reported_with_its_position(tmp_path):
    with preview(tmp_path) as p:
        epoch = p.epoch("")
        p.edit("area: B", "area: Z")
        p.wait_reload(epoch)
        assert re.search(r"services/telesoccorso\.yaml:\d+:\d+: .*unknown area &#x27;Z&#x27;",
                         p.get(""))


def test_preview_reloads_in_chromium(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    with preview(tmp_path) as p, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.goto(p.url + "servizi/telesoccorso/")
            page.wait_for_load_state("load")
            p.edit(OLD, "24 ore su 24 CONTROLLO, che in caso di")
            page.wait_for_function(
                "document.body && document.body.innerText.includes('24 ore su 24 CONTROLLO')", timeout=20000)
            p.edit("status: active", "status: [active")
            alert = page.get_by_role("alert")
            alert.wait_for(timeout=20000)
            assert re.search(r"services/telesoccorso\.yaml:\d+:\d+:", alert.inner_text())
            assert "24 ore su 24 CONTROLLO" in page.inner_text("body")
        finally:
            browser.close()


def test_restarted_preview_shows_what_was_saved_while_it_was_stopped(tmp_path):
    with preview(tmp_path) as p:
        assert OLD in p.get("servizi/telesoccorso/")
        p.edit(OLD, "24 ore su 24 MENTRE ERA SPENTO, che in caso di")
        p.process.terminate()
        p.process.wait(timeout=30)
    with preview(tmp_path, copy=False) as p:
        assert "24 ore su 24 MENTRE ERA SPENTO" in p.get("servizi/telesoccorso/")
