"""The dashboard: the day's and the week's messages, a month of traffic, the modems."""

from web.dashboard.views import bp

__all__ = ["bp"]
