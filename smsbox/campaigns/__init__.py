"""Campaigns: one text to groups of contacts and loose numbers, each recipient's
message queued in one transaction and followed by its states.

- `placeholders`: `{name}`, `{first_name}`/`{prénom}` and the contacts' own fields in
  the text, checked before anything is queued, filled per recipient.
- `recipients`: the groups' members and the loose numbers, normalised, each number
  once, the opted-out ones set aside and counted.
- `store`: making a campaign (caps checked, messages bulk-inserted), its counts per
  state, cancelling what still waits, the list.
- `local_times`: a local time of the account's zone as UTC, across daylight saving.
- `recurring`: campaigns sent again daily, weekly or monthly; the daemon makes each
  occurrence's campaign once.
"""
