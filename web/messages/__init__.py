"""Sending SMS and reading what was sent and received."""

from web.messages.views import bp

__all__ = ["bp"]
