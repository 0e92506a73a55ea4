"""Identification through OpenID Connect, where the district configures it (``OIDC_ISSUER``).

A form listed in ``OIDC_FORMS`` is filled in only after a login at the district's identity
provider (in Italy a SPID/CIE gateway that speaks OpenID Connect), through Authlib's Flask
client: authorization code with state, nonce and PKCE (S256); Authlib checks the ID token's
signature (the provider's JWKS), issuer, audience, expiry and nonce; the provider's discovery
document must name the configured issuer.  No token is kept: the callback reads the claims
and drops the tokens.

The identity lives in the draft it was made for (``_identity`` in the draft's data, the
values encrypted), bound to the browser that logged in: it holds only while the draft is
bound to that browser (a draft resumed elsewhere from its e-mailed link asks to log in again).
The fields whose role matches a claim (surname, given_name, full_name, tax_code, birth_date)
are filled from it and locked: shown read-only, and whatever a POST says for them is replaced
by the identity's value at every page and at the send.  The stored submission records the
issuer (``identified_by``).  Without ``OIDC_ISSUER`` nothing here runs and the forms are as
before.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
)
from sqlalchemy import select
from sqlalchemy import update as sql_update

from carta.model.rules import Condition, FieldRole, Form
from carta.model.service import Service
from form_backend import drafts, flow
from form_backend.config import ConfigError
from form_backend.db import Draft
from form_backend.extensions import limiter

log = logging.getLogger("carta.oidc")
bp = Blueprint("oidc", __name__)

FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"  # SPID/CIE's codice fiscale
_KEY = "_identity"  # in a draft's data
_PENDING = "carta_oidc_identity"  # in the session: an identity on its way to an open draft
_PENDING_SECONDS = 600


def enabled() -> bool:
    """Identification is configured."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def required(kind: str) -> bool:
    """The form ``kind`` may be filled in only after identification."""
    forms = {f.strip() for f in str(current_app.config.get("OIDC_FORMS") or "").split(",")}
    return enabled() and kind in forms


def install(app: Flask) -> None:
    """Register the provider with Authlib (when configured) and the identification routes."""
    app.register_blueprint(bp)
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    if not app.config.get("OIDC_CLIENT_ID"):
        raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: the identity "
                          "provider gives both when the district registers the service")
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    discovery = issuer if issuer.endswith("/.well-known/openid-configuration") else \
        f"{issuer}/.well-known/openid-configuration"
    oauth.register("carta", client_id=app.config["OIDC_CLIENT_ID"],
                   client_secret=app.config.get("OIDC_CLIENT_SECRET") or None,
                   server_metadata_url=discovery,
                   client_kwargs={"scope": app.config.get("OIDC_SCOPES") or "openid",
                                  "code_challenge_method": "S256", "timeout": 10})
    app.extensions["carta_oidc"] = (oauth.carta, issuer.removesuffix(
        "/.well-known/openid-configuration"))


class Refused(Exception):
    """The provider, or what it sent, cannot be trusted: the citizen sees why, in words."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(detail or key)
        self.key = key


def _client():
    client, issuer = current_app.extensions["carta_oidc"]
    metadata = client.load_server_metadata()
    if metadata.get("issuer") != issuer:  # a discovery document for someone else
        raise Refused("oidc_error", f"discovery names issuer {metadata.get('issuer')!r}")
    return client, issuer


# --- what the identity fills in ---


def tax_code(claims: dict) -> str | None:
    """The codice fiscale: SPID/CIE's claim (``TINIT-RSSMRA…``, the prefix dropped), else
    the claim named by ``OIDC_TAX_CODE_CLAIM``."""
    names = [FISCAL_NUMBER, current_app.config.get("OIDC_TAX_CODE_CLAIM") or ""]
    for name in (n for n in names if n):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return re.sub(r"^TIN[A-Z]{2}-", "", value.strip().upper())
    return None


def locked_answers(definition: Form, claims: dict, proxy: bool = False) -> dict[str, str]:
    """The answers the identity gives, by the role of the form's fields: the beneficiary's,
    or with ``proxy`` those of someone applying on the beneficiary's behalf."""
    family, given = (str(claims.get(k) or "").strip() for k in ("family_name", "given_name"))
    born = str(claims.get("birthdate") or "").strip()
    born = born if re.fullmatch(r"\d{4}-\d{2}-\d{2}", born) else ""
    if proxy:
        values = {FieldRole.proxy_surname: family, FieldRole.proxy_given_name: given,
                  FieldRole.proxy_tax_code: tax_code(claims) or "",
                  FieldRole.proxy_birth_date: born}
    else:
        values = {FieldRole.surname: family, FieldRole.given_name: given,
                  FieldRole.full_name: f"{family} {given}".strip() if family and given else "",
                  FieldRole.tax_code: tax_code(claims) or "", FieldRole.birth_date: born}
    out = {}
    for role, value in values.items():
        field = definition.field_with_role(role)
        if field is not None and value:
            out[field.id] = value
    return out


def identity(row) -> dict | None:
    """The identity of a draft row while it is bound to the browser that logged in:
    ``{"iss": …, "fields": {name: value}}``; else None."""
    data = row.data if isinstance(row.data, dict) else {}
    held = data.get(_KEY)
    if not isinstance(held, dict) or held.get("browser") != data.get(drafts._BOUND_TO):
        return None
    try:
        sealed = json.loads(current_app.extensions["carta_fernet"].decrypt(
            held["fields"].encode()))
    except Exception:  # another key, or not ours: no identity
        return None
    own, proxy = ((sealed["own"], sealed.get("proxy", {})) if "own" in sealed
                  else (sealed, {}))  # drafts identified before the proxy's fields existed
    return {"iss": held.get("iss"), "fields": own, "proxy": proxy,
            "behalf": held.get("behalf"), "name": held.get("name", "")}


def locked(loaded) -> dict[str, Any]:
    """The locked answers of a loaded draft (empty without a valid identity): the
    beneficiary's fields, or, once the citizen says they apply on someone's behalf, their
    own fields as the one applying (the beneficiary's are then theirs to write)."""
    found = identity(loaded.row) if enabled() else None
    if not found:
        return {}
    behalf = found.get("behalf")
    # ticked as the form's own `when: {field: …}` reads it: the applicant's page is asked then
    if behalf and Condition(field=behalf).met(loaded.answers.get(behalf)):
        return dict(found["proxy"])
    return dict(found["fields"])


def gate(definition: Form, service: Service | None, kind: str, loaded=None):
    """None when the form may go on; else the page asking to log in (for ``loaded``'s draft
    when there is one), with 200 for a GET and 403 for anything sent."""
    if not required(kind) or (loaded is not None and identity(loaded.row)):
        return None
    query = {"modulo": kind, "lang": g.lang}
    if service is not None:
        query["servizio"] = service.slug
    if loaded is not None:
        query["bozza"] = loaded.row.id
    return render_template(
        "oidc_login.html", definition=definition, service=service,
        start=f"/identificazione/accedi?{urlencode(query)}",
        provider=current_app.config["OIDC_PROVIDER_NAME"],
        title=flow.charter().t(g.lang, "oidc_title") + " — "
        + flow.label_of(definition.title, g.lang)), 200 if request.method == "GET" else 403


def _target(args) -> tuple[Form, Service | None, str]:
    kind = args.get("modulo", "")
    definition = flow.charter().form_by_id.get(kind)
    if definition is None or not required(kind):
        abort(404)
    service = None
    if kind == "domanda":
        service = flow.charter().service_by_slug.get(args.get("servizio") or "")
        if service is None or not service.takes_applications:
            abort(404)
    return definition, service, kind


def _failed(key: str, again: str | None = None, status: int = 400):
    """The page of a failed identification: what happened and a way to try again."""
    return render_template("error.html", key=key, status=status, again=again,
                           values={"provider": current_app.config["OIDC_PROVIDER_NAME"]},
                           title=flow.charter().t(g.lang, f"{key}_title")), status


# --- the routes ---


@bp.get("/identificazione/accedi")
@limiter.limit("30 per minute")
def login():
    """Off to the provider, with state, nonce and PKCE kept in this browser's session."""
    if not enabled():
        abort(404)
    _definition, service, kind = _target(request.args)
    draft_id = request.args.get("bozza") or None
    if draft_id is not None and not (draft_id.isascii() and draft_id.isalnum()):
        abort(404)
    try:
        client, _issuer = _client()
        redirect_uri = (flow.public_url() or request.host_url).rstrip("/") \
            + "/identificazione/ritorno"
        made = client.create_authorization_url(redirect_uri)
    except Refused as refused:
        log.error("identification refused: %s", refused)
        return _failed(refused.key)
    except Exception as exc:  # the provider does not answer, or answers nonsense
        log.error("identity provider unavailable: %s", type(exc).__name__)
        return _failed("oidc_unavailable", request.full_path)
    target = {"kind": kind, "service": service.slug if service else None, "lang": g.lang,
              "draft": draft_id}
    client.save_authorize_data(redirect_uri=redirect_uri, carta=target, **made)
    return redirect(made["url"], 302)


@bp.get("/identificazione/ritorno")
@limiter.limit("30 per minute")
def callback():
    """Back from the provider: the claims checked, the tokens dropped; the identity goes
    into a new draft of this browser, or is handed to the draft the login was asked from."""
    if not enabled():
        abort(404)
    client, _issuer = current_app.extensions["carta_oidc"]
    state = request.args.get("state") or ""
    held = client.framework.get_state_data(session, state) if state else None
    if not held or not isinstance(held.get("carta"), dict):
        # another browser, a replayed or forged callback: nothing of it is used
        log.warning("identification callback without this browser's state")
        return _failed("oidc_error")
    target = held["carta"]
    if target.get("lang") in flow.charter().district.languages:
        g.lang = target["lang"]
    args = {"modulo": target["kind"], "servizio": target.get("service") or "",
            "lang": g.lang}
    definition, service, kind = _target(args)
    again = f"{flow.form_path(service)}?lang={g.lang}"
    if request.args.get("error"):
        log.info("identification not given: %s", request.args.get("error")[:60])
        client.framework.clear_state_data(session, state)
        return _failed("oidc_cancelled", again)
    try:
        client, issuer = _client()
        # state, PKCE and the ID token (signature, iss, aud, exp, nonce) checked by Authlib;
        # the tokens are used here and dropped
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims or claims.get("iss") != issuer:
            raise Refused("oidc_error", "no ID token from the expected issuer")
        if client.load_server_metadata().get("userinfo_endpoint"):
            more = dict(client.userinfo(token=token))
            if more.get("sub") != claims.get("sub"):
                raise Refused("oidc_error", "userinfo is about someone else")
            claims = {**more, **claims}
    except Refused as refused:
        log.error("identification refused: %s", refused)
        return _failed(refused.key, again)
    except Exception as exc:  # a bad state, signature, nonce, issuer, or the provider down
        log.error("identification failed: %s: %s", type(exc).__name__, str(exc)[:200])
        return _failed("oidc_error", again)
    fields = locked_answers(definition, claims)
    behalf = definition.field_with_role(FieldRole.on_behalf)
    name = " ".join(x for x in (claims.get("given_name"), claims.get("family_name")) if x)
    found = {"iss": issuer, "fields": fields, "proxy": locked_answers(definition, claims, True),
             "behalf": behalf.id if behalf else None, "name": str(name)[:200]}
    if target.get("draft"):  # the draft's own page takes it (only its browser opens it)
        sealed = current_app.extensions["carta_fernet"].encrypt(json.dumps(
            {**found, "draft": target["draft"]}).encode()).decode()
        session[_PENDING] = sealed
        path = flow.check_path(service, target["draft"])
        return _welcome(definition, service, f"{path}/identita?lang={g.lang}", found)
    public, sensitive = flow._split(definition, service, fields)
    draft_id, secret = drafts.save(kind, service.slug if service else None, g.lang, public,
                                   sensitive, [], [])
    _bind(draft_id, found)
    first = definition.steps()[0]
    response = current_app.make_response(_welcome(
        definition, service, f"{flow.step_path(service, draft_id, first)}?lang={g.lang}",
        found))
    drafts.give_cookie(response, flow.check_path(service, draft_id), secret)
    log.info("identified", extra={"kind": kind, "service": service.slug if service else None})
    return response


def _welcome(definition, service, onward: str, found: dict):
    """A page of its own after the provider (the draft's cookie is SameSite=Strict: the
    browser sends it only from a page of this site, so the way on is a link here)."""
    return render_template("oidc_welcome.html", onward=onward, person=found["name"],
                           provider=current_app.config["OIDC_PROVIDER_NAME"],
                           definition=definition, service=service,
                           title=flow.charter().t(g.lang, "oidc_welcome_title"))


def _bind(draft_id: str, found: dict) -> None:
    """Put the identity into the draft, bound to the browser the draft is bound to now, and
    its answers in place of whatever the draft held for those fields."""
    fernet = current_app.extensions["carta_fernet"]
    table = Draft.__table__

    def write(connection) -> None:
        row = connection.execute(select(table.c.data).where(table.c.id == draft_id)).first()
        if row is None:
            return
        data = dict(row.data)
        data.update({k: v for k, v in found["fields"].items()})
        sealed = {"own": found["fields"], "proxy": found.get("proxy", {})}
        data[_KEY] = {"iss": found["iss"], "browser": data.get(drafts._BOUND_TO),
                      "name": found["name"], "at": dt.datetime.now(dt.UTC).isoformat(),
                      "behalf": found.get("behalf"),
                      "fields": fernet.encrypt(json.dumps(sealed).encode()).decode()}
        connection.execute(sql_update(table).where(table.c.id == draft_id).values(data=data))

    current_app.extensions["carta_draft_writer"].run(write)


def _draft_kind(slug: str | None) -> tuple[Form, Service | None, str]:
    if slug is None:
        return flow.charter().form_by_id["reclamo"], None, "reclamo"
    service = flow.charter().service_by_slug.get(slug)
    if service is None:
        abort(404)
    return flow.charter().form_by_id["domanda"], service, "domanda"


@bp.get("/domanda/<slug>/controlla/<draft_id>/identita")
@bp.get("/reclamo/controlla/<draft_id>/identita", defaults={"slug": None})
def attach(slug: str | None, draft_id: str):
    """The identity handed over by the callback joins the draft this browser holds."""
    if not enabled():
        abort(404)
    definition, service, kind = _draft_kind(slug)
    loaded = drafts.load(draft_id, kind, slug)
    if loaded is None:
        abort(404)
    if isinstance(loaded, drafts.Expired):
        return flow.expired_page(service)
    sealed = session.pop(_PENDING, None)
    try:
        found = json.loads(current_app.extensions["carta_fernet"].decrypt(
            sealed.encode(), ttl=_PENDING_SECONDS)) if sealed else None
    except Exception:
        found = None
    if not found or found.get("draft") != draft_id:
        return _failed("oidc_error", f"{flow.form_path(service)}?lang={g.lang}")
    _bind(draft_id, found)
    first = definition.steps()[0]
    return redirect(f"{flow.step_path(service, draft_id, first)}?lang={g.lang}", 303)


@bp.post("/domanda/<slug>/controlla/<draft_id>/esci")
@bp.post("/reclamo/controlla/<draft_id>/esci", defaults={"slug": None})
def logout(slug: str | None, draft_id: str):
    """Log out: the draft made under the identity is deleted, with its answers and files,
    and this browser forgets it."""
    _definition, service, kind = _draft_kind(slug)
    loaded = drafts.load(draft_id, kind, slug)
    if isinstance(loaded, drafts.Loaded):
        drafts.drop(draft_id)
    session.pop(_PENDING, None)
    response = current_app.make_response(render_template(
        "error.html", key="oidc_logged_out", status=200,
        again=f"{flow.form_path(service)}?lang={g.lang}",
        title=flow.charter().t(g.lang, "oidc_logged_out_title")))
    drafts.take_cookie(response, flow.check_path(service, draft_id))
    return response
