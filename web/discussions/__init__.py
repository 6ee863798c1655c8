"""Discussions: the conversations by number, one conversation as bubbles, live."""

from web.discussions.views import bp

__all__ = ["bp"]
