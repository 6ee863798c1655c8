"""The modems: each one's state as the daemon last recorded it, and its recent errors."""

from web.modems.views import bp

__all__ = ["bp"]
