"""The call log: incoming calls, newest first."""

from web.calls.views import bp

__all__ = ["bp"]
