"""A real OpenID Connect provider for the identification tests: pyop (discovery, JWKS,
authorize, token, userinfo) in a small Flask app on 127.0.0.1, signing RS256 ID tokens.

The person logging in is ``provider.user`` (no login form: the authorize endpoint answers at
once).  ``provider.tamper`` makes it misbehave the way an attacker or a broken provider
would: ``nonce`` (the ID token carries another nonce), ``discovery_issuer`` (the discovery
document names another issuer), ``token_issuer`` (the ID token names another issuer than the
discovery document), ``error`` (the provider refuses the login).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlencode

from Cryptodome.PublicKey import RSA
from flask import Flask, jsonify, redirect, request
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from werkzeug.serving import make_server

FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"
CLIENT_ID, CLIENT_SECRET = "carta-test", "s3cret-of-the-test-client"

MARIO = {"given_name": "Mario", "family_name": "Rossi", "birthdate": "1980-01-01",
         FISCAL_NUMBER: "TINIT-RSSMRA80A01F839W"}


class IdentityProvider:
    """pyop behind Flask, served over HTTP on loopback while the ``running`` block lasts."""

    def __init__(self, user: dict | None = None):
        self.user = dict(user or MARIO)
        self.tamper: dict[str, str] = {}
        self.redirect_uris: list[str] = []
        self.issuer = ""
        self.authorizations = 0

    def _provider(self) -> Provider:
        base = self.issuer
        config = {
            "issuer": base, "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "profile"], "code_challenge_methods_supported": ["S256"],
        }
        clients = {CLIENT_ID: {"client_secret": CLIENT_SECRET, "redirect_uris": self.redirect_uris,
                               "response_types": ["code"],
                               "token_endpoint_auth_method": "client_secret_basic"}}
        key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="test-key")
        state = AuthorizationState(HashBasedSubjectIdentifierFactory("salt"))
        # oic insists on an https issuer when it checks the configuration (once, here); the
        # test provider is plain HTTP on loopback, which Authlib accepts as RFC 8252 allows
        op = Provider(key, {**config, "issuer": "https://placeholder.invalid"}, state, clients,
                      Userinfo(self._users()))
        op.configuration_information["issuer"] = base
        return op

    def _users(self):
        outer = self

        class Users(dict):
            def __getitem__(self, user_id):
                return dict(outer.user)

            def __contains__(self, user_id):
                return True

        return Users()

    def app(self) -> Flask:
        op = self._provider()
        app = Flask("oidc-test-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            doc = op.provider_configuration.to_dict()
            doc["issuer"] = self.tamper.get("discovery_issuer", self.issuer)
            return jsonify(doc)

        @app.get("/jwks")
        def jwks():
            return jsonify(op.jwks)

        @app.get("/authorize")
        def authorize():
            try:
                asked = op.parse_authentication_request(urlencode(request.args), request.headers)
            except InvalidAuthenticationRequest as exc:
                return f"bad request: {exc}", 400
            self.authorizations += 1
            if "error" in self.tamper:
                return redirect(f"{asked['redirect_uri']}?" + urlencode(
                    {"error": self.tamper["error"], "state": asked["state"]}))
            if "nonce" in self.tamper:
                asked["nonce"] = self.tamper["nonce"]
            answer = op.authorize(asked, "mario")
            return redirect(answer.request(asked["redirect_uri"], False))

        @app.post("/token")
        def token():
            # the ID token is signed with the issuer pyop is configured with
            op.configuration_information["issuer"] = self.tamper.get("token_issuer", self.issuer)
            try:
                answer = op.handle_token_request(
                    request.get_data(as_text=True), request.headers,
                    extra_id_token_claims=lambda user, client: {
                        k: v for k, v in self.user.items() if k == FISCAL_NUMBER})
            except OAuthError as exc:
                return jsonify(error=exc.oauth_error, error_description=str(exc)), 400
            return jsonify(answer.to_dict())

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            try:
                answer = op.handle_userinfo_request(request.get_data(as_text=True),
                                                    request.headers)
            except Exception as exc:
                return jsonify(error="invalid_token", error_description=str(exc)), 401
            return jsonify(answer.to_dict())

        return app

    @contextmanager
    def running(self):
        """Serve the provider; yields its issuer URL (``http://127.0.0.1:PORT``)."""
        server = make_server("127.0.0.1", 0, None, threaded=True)
        self.issuer = f"http://127.0.0.1:{server.server_port}"
        server.app = self.app()
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.issuer
        finally:
            server.shutdown()
