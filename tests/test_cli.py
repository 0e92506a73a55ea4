"""The carta command as editors and other programs run it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.factory import base, write_charter

SERVICE = "services/telesoccorso.yaml"


def carta(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carta", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_check_ok_prints_one_summary_line(tmp_path):
    result = carta("check", "--root", str(write_charter(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("ok: Prova: 1 schede")


def test_check_defaults_to_the_current_directory(tmp_path):
    result = carta("check", cwd=write_charter(tmp_path))
    assert result.returncode == 0, result.stderr


def test_check_lists_every_problem_and_exits_1(tmp_path):
    service = base(SERVICE)
    service["cost"]["tariff"] = "nessuna"
    service["responsible"]["office"] = "nessuno"
    result = carta("check", "--root", str(write_charter(tmp_path, {SERVICE: service})))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("carta: 2 problems in")
    assert all(line.startswith(SERVICE + ":") for line in lines[:-1])
    assert result.stdout == ""


def test_export_json_has_the_public_shape(tmp_path):
    result = carta("export", "--format", "json", "--root", str(write_charter(tmp_path)))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "carta-export" and data["version"] == 1
    service = data["services"][0]
    assert {k: service[k] for k in ("code", "slug", "area", "revised")} == {
        "code": "B1", "slug": "telesoccorso", "area": "B", "revised": "2024-01-01"}
    assert service["title"] == {"it": "Telesoccorso", "en": "Telecare"}
    assert data["areas"][0] == {"code": "A", "slug": "famiglia", "name": {"it": "Famiglia"},
                                "colour": "#A3245E"}
    office = data["offices"][0]
    assert office["comune"] == "alfa"
    assert office["hours"] == [
        {"weekday": "mon", "opens": "11:00", "closes": "13:30"},
        {"weekday": "mon", "opens": "16:30", "closes": "17:30"},
        {"weekday": "wed", "opens": "11:00", "closes": "13:30"}]
    assert data["offices"][1]["comune"] is None
    assert data["indicators"][0]["service"] == "telesoccorso"
    assert data["indicators"][0]["target"] == {"value": "45", "unit": "minutes",
                                               "comparison": "at_most"}
    assert data["tariffs"][0]["prices"] == [{"amount": "27.31", "per": "month"}]


def test_check_translations_reports_each_language(tmp_path):
    result = carta("check", "--translations", "--show-missing", "2", "--root",
                   str(write_charter(tmp_path)))
    assert result.returncode == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("en:") and "%" in first
    assert "  missing: " in result.stdout


def test_check_translations_strict_fails_below_100(tmp_path):
    result = carta("check", "--translations", "--strict", "--root", str(write_charter(tmp_path)))
    assert result.returncode == 1


def test_unknown_command_is_a_usage_error():
    assert carta("frobnicate").returncode == 2


def test_check_json_gives_one_shape_per_problem(tmp_path):
    service = base(SERVICE)
    service["area"] = "Z"
    result = carta("check", "--json", "--root", str(write_charter(tmp_path, {SERVICE: service})))
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert problems == [{"file": SERVICE, "line": 2, "column": 1, "path": "area",
                         "message": "unknown area 'Z'; known: A, B"}]
