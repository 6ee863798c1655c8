"""Input refused, with a reason the person who typed it can read in their language.

The reason is an English template with named values: `str()` gives it in English
(the CLI, the logs), and the web translates the template itself, whose text is
extracted for translation from the places that raise it.
"""

from __future__ import annotations


class Refusal(ValueError):
    def __init__(self, template: str, **values: object):
        super().__init__(template % values)
        self.template = template
        self.values = values
