"""The layout is the architecture: YAML → load → model → present → renderers (site, print,
export), and no renderer imports another. A newcomer's ``ls carta`` and one docstring per folder
show it; this test keeps it true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CARTA = Path(__file__).resolve().parent.parent / "carta"
BASE = {"carta.model", "carta.load", "carta.errors", "carta.strings"}
# what each folder may import from carta besides itself
ALLOWED = {
    "model": {"carta.model", "carta.errors", "carta.strings"},
    "load": BASE,
    "present": BASE | {"carta.present", "carta.monitoring"},  # results are model-side data
    "monitoring": BASE,
    "print": BASE | {"carta.present"},
    "export": BASE | {"carta.present"},
    "website": BASE | {"carta.present"},
}
# the site's build step is where outputs meet: it embeds the PDFs and the open-data export
ORCHESTRATORS = {("website", "build.py"): {"carta.print", "carta.export"}}


def carta_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "carta":
            names += [f"carta.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module or "")
    return [n for n in names if n == "carta" or n.startswith(("carta.", "form_backend"))]


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(folder):
    bad = []
    for path in sorted((CARTA / folder).rglob("*.py")):
        allowed = ALLOWED[folder] | {f"carta.{folder}"} | ORCHESTRATORS.get((folder, path.name), set())
        for name in carta_imports(path):
            top = ".".join(name.split(".")[:2])
            if top not in allowed:
                bad.append(f"{path.relative_to(CARTA)}: {name}")
    assert not bad


def test_ls_carta_shows_the_flow_and_each_folder_says_what_it_holds():
    folders = sorted(p.name for p in CARTA.iterdir() if (p / "__init__.py").is_file())
    assert folders == ["export", "load", "model", "monitoring", "present", "print", "strings", "website"]
    for name in folders:
        doc = ast.get_docstring(ast.parse((CARTA / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, name
    # no module left at the top level that belongs to a layer
    top = sorted(p.stem for p in CARTA.glob("*.py"))
    assert top == ["__init__", "__main__", "cli", "errors", "scaffold"]
