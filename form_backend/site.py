"""The built static site, served by the same app (so the "apply" buttons reach the forms).

Material's pages carry a few small inline scripts; rather than allowing inline script, each
HTML page gets a CSP listing the SHA-256 of exactly the scripts it contains.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, send_from_directory

from form_backend.security import CSP

bp = Blueprint("site", __name__)
_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>(.*?)</script>",
                     re.S)


@lru_cache(maxsize=4096)
def _csp_for(path: str, mtime: float) -> str:
    data = Path(path).read_bytes()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE.finditer(data))
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip())


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site (directory URLs serve their index.html)."""
    root = Path(current_app.config["CARTA_SITE_DIR"])
    if not root.is_dir():
        abort(404)
    try:  # a NUL, a 256-character name, a loop: no such page (never a 500)
        target = (root / path).resolve()
        if root.resolve() not in target.parents and target != root.resolve():
            abort(404)
        if target.is_dir():
            if path and not path.endswith("/"):
                return current_app.redirect("/" + path + "/", 301)
            target = target / "index.html"
        if not target.is_file():
            abort(404)
        mtime = target.stat().st_mtime
    except (OSError, ValueError):
        abort(404)
    response = make_response(send_from_directory(target.parent, target.name))
    if target.suffix == ".html":
        response.headers["Content-Security-Policy"] = _csp_for(str(target), mtime)
    return response
