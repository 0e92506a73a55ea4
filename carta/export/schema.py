"""JSON Schemas of the charter files, for editors' YAML language servers."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from carta.load.charter import CONTENT_FILES
from carta.model.quality import Monitoring
from carta.model.service import Service
from carta.strings import json_schema

SCHEMA_DIR = "schema"
SCHEMA_VERSION = "https://json-schema.org/draft/2020-12/schema"


def schema_files() -> dict[str, dict]:
    """File name under ``schema/`` → JSON Schema, one per kind of charter file."""
    kinds: list[tuple[str, type[BaseModel]]] = [
        (Path(k.path).stem, k.model) for k in CONTENT_FILES
    ]
    kinds += [("service", Service), ("monitoring", Monitoring)]
    out = {}
    for name, model in kinds:
        schema = model.model_json_schema()
        if model is Service:  # the slug is the file name, never written in the file
            schema["properties"].pop("slug", None)
            schema["required"] = [r for r in schema.get("required", []) if r != "slug"]
        schema["$schema"] = SCHEMA_VERSION
        schema["title"] = f"carta {name} file"
        out[f"{name}.schema.json"] = schema
    out["strings.schema.json"] = {**json_schema(), "$schema": SCHEMA_VERSION,
                                  "title": "carta strings file"}
    return out


def render_schema(name: str, schema: dict) -> str:
    """Stable text of one schema file."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def schema_for(rel_path: str) -> str | None:
    """Schema file name for a charter file path such as ``services/telesoccorso.yaml``."""
    if rel_path.startswith("services/"):
        return "service.schema.json"
    if rel_path.startswith("content/monitoring/"):
        return "monitoring.schema.json"
    if rel_path.startswith("content/strings/"):
        return "strings.schema.json"
    for kind in CONTENT_FILES:
        if kind.path == rel_path:
            return f"{Path(kind.path).stem}.schema.json"
    return None
