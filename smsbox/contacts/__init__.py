"""Contacts and groups: the people staff send to, typed in, imported from the files
spreadsheets, phones and other platforms give, and exported again.

- `details`: what one contact holds, checked (lengths, the number in E.164).
- `store`: add, edit, delete, find (keyset pages); `groups`: groups and members.
- `importing`: one service for CSV and vCard files (`files` opens and sizes them up,
  `csv_rows` and `vcards` turn them into contacts); `exporting`: CSV, JSON, vCard.
- `spreadsheet`: how a value is written so that a spreadsheet shows it, not runs it.
"""
