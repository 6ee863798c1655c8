"""Logging staff in and out."""

from web.auth.login import login_manager
from web.auth.views import bp

__all__ = ["bp", "login_manager"]
