"""Webhooks: events (inbound messages, sends, delivery reports, calls, STOPs) posted,
signed, to URLs that admins register.

- `events`: deliveries queued in the transaction of their event (a session hook);
- `endpoints`: adding, listing, removing endpoints, their deliveries, replays;
- `guard`: the URLs allowed; `signing`: Standard Webhooks signatures;
- `deliveries`, `retries`, `sender`: the daemon's thread that posts them.
"""
