"""Sending SMS and reading what was sent and received."""

from web.messages import lists  # noqa: F401 (its routes join the blueprint)
from web.messages.views import bp

__all__ = ["bp"]
