"""Sending SMS and reading what was sent and received."""

from web.messages import lists, scheduled  # noqa: F401 (their routes join the blueprint)
from web.messages.views import bp

__all__ = ["bp"]
