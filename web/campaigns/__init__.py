"""The campaigns: their list, each one's page with live counts and a Cancel button,
and the recurring campaigns."""

from web.campaigns import recurring  # noqa: F401 (its routes join the blueprint)
from web.campaigns.views import bp

__all__ = ["bp"]
