"""The published JSON Schemas: current, referenced from every file, and true to the model."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from carta.export.schema import render_schema, schema_files, schema_for

ROOT = Path(__file__).resolve().parent.parent
CHARTERS = [ROOT, *sorted(p for p in (ROOT / "examples").glob("*") if p.is_dir())]
FILES = [(root, f) for root in CHARTERS
         for f in sorted([*root.glob("content/**/*.yaml"), *root.glob("services/*.yaml")])
         if not f.relative_to(root).as_posix().startswith(("content/strings/", "content/pages/"))]
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def as_language_server_reads(node):
    """YAML 1.2 core schema, as the editors' language server types values."""
    if isinstance(node, yaml.ScalarNode):
        if node.style not in (None, ""):
            return node.value
        v = node.value
        if v in ("", "~", "null", "Null", "NULL"):
            return None
        if v in ("true", "True", "TRUE", "false", "False", "FALSE"):
            return v.lower() == "true"
        if _INT.match(v):
            return int(v)
        if _FLOAT.match(v):
            return float(v)
        return v
    if isinstance(node, yaml.SequenceNode):
        return [as_language_server_reads(n) for n in node.value]
    return {k.value: as_language_server_reads(v) for k, v in node.value}


def test_published_schemas_are_current():
    for name, schema in schema_files().items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == render_schema(name, schema), (
            f"schema/{name} is stale: run `carta schema`")


@pytest.mark.parametrize(("root", "file"), FILES,
                         ids=[str(f.relative_to(ROOT)) for _, f in FILES])
def test_every_file_points_to_its_schema_and_passes_it(root, file):
    rel = file.relative_to(root).as_posix()
    first = file.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"^# yaml-language-server: \$schema=(\S+)$", first)
    assert match, f"{rel}: first line must be the yaml-language-server $schema comment"
    target = (file.parent / match.group(1)).resolve()
    assert target == ROOT / "schema" / schema_for(rel), f"{rel} points to {match.group(1)}"
    schema = schema_files()[schema_for(rel)]
    data = as_language_server_reads(yaml.compose(file.read_text(encoding="utf-8")))
    jsonschema.validate(data, schema)


def test_schema_refuses_what_carta_check_refuses():
    schema = schema_files()["offices.schema.json"]
    bad = {"offices": [{"id": "x", "kind": "k", "name": "X", "typo": 1}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
