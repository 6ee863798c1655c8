"""The campaigns: their list, each one's page with live counts and a Cancel button."""

from web.campaigns.views import bp

__all__ = ["bp"]
