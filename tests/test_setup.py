"""Set-up as a new user meets it: the locked dependencies, every command's --root, the
WSGI entry without a key, and `carta serve` saying what it does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib

import pytest
import requests
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.factory import REPO, write_charter
from tests.servers import free_port

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)(?: ; ([^\\\n]+))?", re.MULTILINE)


def pins(lock: str, everywhere: bool = False) -> dict:
    """``name: version`` for this interpreter (the lock is universal: some packages have one
    pin per Python version or platform); with ``everywhere``, keyed on (name, marker)."""
    text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
    found = {}
    for name, version, marker in PIN.findall(text):
        marker = marker.strip()
        if everywhere:
            found[(canonicalize_name(name), marker)] = version
        elif not marker or Marker(marker).evaluate():
            found[canonicalize_name(name)] = version
    return found


def declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    if extra:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return reqs


@pytest.mark.parametrize(("lock", "extra"), [("runtime.lock", None), ("test.lock", "test")])
def test_every_declared_dependency_is_locked_within_its_range(lock, extra):
    locked = pins(lock)
    wrong = []
    for req in declared(extra):
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req} (locked: {version})")
    assert not wrong, ("pyproject.toml and requirements/ disagree; run scripts/upgrade-deps: "
                       + ", ".join(wrong))


def test_every_lock_line_has_a_hash_and_the_locks_agree():
    runtime, test = pins("runtime.lock", True), pins("test.lock", True)
    for lock in ("runtime.lock", "test.lock"):
        text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text.split("\n", 1)[1])
        unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
        assert not unhashed, f"{lock}: no hash for {unhashed}"
    assert "setuptools" in pins("runtime.lock")  # the build backend too: installing carta resolves nothing
    differ = {n: (v, test[n]) for n, v in runtime.items() if test.get(n) != v}
    assert not differ, f"runtime and test locks pin different versions: {differ}"


def test_the_installed_packages_are_the_locked_ones():
    from importlib.metadata import distributions

    locked = pins("test.lock")
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    off = {n: (v, installed[n]) for n, v in locked.items() if n in installed and installed[n] != v}
    assert not off, f"this venv differs from the lock (run scripts/setup-env test): {off}"


def carta(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CARTA_")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "carta", *args], capture_output=True, text=True,
                          env=full, cwd=cwd, timeout=120)


@pytest.mark.parametrize("where", ["group", "command"])
@pytest.mark.parametrize("command", [["users", "add", "anna"], ["outbox", "send"],
                                     ["db", "upgrade"]])
def test_nested_commands_act_on_the_root_wherever_it_is_written(tmp_path, command, where):
    root = write_charter(tmp_path / "charter")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    args = ([command[0], "--root", str(root), *command[1:]] if where == "group"
            else [*command, "--root", str(root)])
    result = carta(*args, env={"CARTA_NEW_PASSWORD": "a long passphrase 42"}, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (root / "instance" / "carta.db").is_file()
    assert not (elsewhere / "instance").exists()


def test_wsgi_entry_without_a_key_refuses_to_start_with_the_reason(tmp_path):
    root = write_charter(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTA_")}
    env["CARTA_ROOT"] = str(root)
    result = subprocess.run([sys.executable, "-c", "import form_backend.wsgi"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "no encryption key" in result.stderr and "CARTA_ENCRYPTION_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_wsgi_entry_reads_the_key_file_that_carta_serve_makes(tmp_path):
    from form_backend.config import ensure_key

    root = write_charter(tmp_path)
    path = ensure_key(root)
    assert path is not None and oct(path.stat().st_mode & 0o777) == "0o600"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTA_")}
    env["CARTA_ROOT"] = str(root)
    result = subprocess.run([sys.executable, "-c", "import form_backend.wsgi as w; "
                             "print(w.app.extensions['carta_fernet'] is not None)"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.system
def test_serve_says_what_it_does_and_is_not_the_development_server(tmp_path):
    root = write_charter(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTA_")}
    proc = subprocess.Popen([sys.executable, "-m", "carta", "serve", "--root", str(root),
                             "--no-pdf", "--port", str(port)], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env=env)
    lines = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, "carta serve stopped: " + "".join(lines)
            lines.append(line)
            if "serving" in line:
                break
        response = requests.get(f"http://127.0.0.1:{port}/reclamo?x=secret", timeout=30)
        assert response.status_code == 200
        assert "Server" not in response.headers or "Werkzeug" not in response.headers["Server"]
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=30)[1]
    text = "".join(lines) + rest
    assert "checking the charter" in text
    assert "site: language 1 of 2" in text and "site: language 2 of 2" in text
    assert f"serving the site and the forms at http://127.0.0.1:{port}/" in text
    assert "development server" not in text
    assert "secret" not in text  # no request line with its query string


@pytest.mark.system
def test_build_from_inside_the_charter_folder_with_the_default_root(tmp_path):
    """`carta build` as an editor types it, in the charter folder (a relative --root once
    broke the parallel language workers)."""
    root = write_charter(tmp_path / "charter")
    result = carta("build", "--no-pdf", "--site-dir", str(tmp_path / "out"), cwd=root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "en" / "index.html").is_file()


def test_the_districts_own_legal_pages_reach_the_sites_footer(tmp_path):
    """AgID's footer checks: a district that names its accessibility statement (published
    through AgID's form), privacy notice and legal notes gets links to them in every
    language; one that names none gets carta's own pages (no empty entries)."""
    from carta.load.charter import load_charter
    from carta.website.build import mkdocs_config
    from tests.factory import base

    district = base("content/district.yaml")
    district["accessibility_statement_url"] = "https://form.agid.gov.it/view/prova"
    district["legal_notes_url"] = "https://prova.example.it/note-legali"
    root = write_charter(tmp_path / "a", {"content/district.yaml": district})
    config = mkdocs_config(load_charter(root), tmp_path / "docs", tmp_path / "site")
    languages = config["plugins"][1]["i18n"]["languages"]
    assert all(lang["extra"]["carta_agid"] == {
        "accessibility_statement_url": "https://form.agid.gov.it/view/prova",
        "legal_notes_url": "https://prova.example.it/note-legali"} for lang in languages)
    plain = mkdocs_config(load_charter(write_charter(tmp_path / "b")), tmp_path / "d", tmp_path / "s")
    assert all(lang["extra"]["carta_agid"] == {} for lang in plain["plugins"][1]["i18n"]["languages"])


@pytest.mark.system
def test_build_writes_nothing_into_the_charter_folder(tmp_path, monkeypatch):
    """Work files go to a cache; only the site asked for with --site-dir is written."""
    root = write_charter(tmp_path / "charter")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = carta("build", "--no-pdf", "--root", str(root), "--site-dir", str(tmp_path / "out"),
                   env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert any((tmp_path / "cache" / "carta" / "site").iterdir())


def test_every_file_the_packages_need_is_declared_as_package_data():
    """A wheel (not the editable checkout) carries every template, style, script and string
    file: each tracked non-Python file under carta/ and form_backend/ matches a glob."""
    from fnmatch import fnmatch

    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]
    listed = subprocess.run(["git", "ls-files", "carta", "form_backend"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split()
    missing = []
    for path in listed:
        package, _, rel = path.partition("/")
        if path.endswith(".py") or "/__pycache__/" in path:
            continue
        patterns = globs.get(package, [])
        # setuptools' ** matches any depth, including none
        if not any(fnmatch(rel, g) or fnmatch(rel, g.replace("**/", "")) for g in patterns):
            missing.append(path)
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
