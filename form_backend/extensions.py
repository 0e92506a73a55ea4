"""Extensions shared by the blueprints (created once, bound in create_app)."""

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def submit_limit() -> str:
    """The configured rate limit for form submissions (CARTA_RATELIMIT_SUBMIT)."""
    return current_app.config["RATELIMIT_SUBMIT"]
