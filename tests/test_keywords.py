"""Which whole texts are keywords, and the account's keyword rules checked."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsbox import account_settings
from smsbox.activity import COMMAND_LINE
from smsbox.keywords import KeywordRules, Kind
from smsbox.refusals import Refusal

RULES = KeywordRules()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", Kind.OPT_OUT),
        ("Stop.", Kind.OPT_OUT),
        (" stop. ", Kind.OPT_OUT),
        ("stop!", Kind.OPT_OUT),
        ("« Stop ! »", Kind.OPT_OUT),
        ("\nSTOP\n", Kind.OPT_OUT),
        ("\uff33\uff34\uff2f\uff30", Kind.OPT_OUT),  # full-width STOP, as some keyboards type it
        ("ARRÊT", Kind.OPT_OUT),
        ("Arrêt", Kind.OPT_OUT),
        ("arret!", Kind.OPT_OUT),
        ("Stop  SMS", Kind.OPT_OUT),
        ("désabonner", Kind.OPT_OUT),
        ("Unsubscribe", Kind.OPT_OUT),
        ("start", Kind.OPT_IN),
        ("Oui !", Kind.OPT_IN),
        ("aide?", Kind.HELP),
        ("Stop 🙏", None),  # an emoji is no punctuation: a sentence, not a keyword
        ("stop please", None),
        ("can you stop by tomorrow?", None),
        ("please don't stop", None),
        ("Stopp", None),
        ("S T O P", None),
        ("S.T.O.P", None),
        ("", None),
        ("...", None),
    ],
)
def test_only_a_whole_text_that_says_a_keyword_is_one(text, kind):
    assert RULES.kind_of(text) == kind


@given(st.text())
def test_a_text_is_at_most_one_kind_of_keyword_and_never_breaks_the_rules(text):
    assert RULES.kind_of(text) in {None, *Kind}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"opt_out": ("STOP", " ")}, "A keyword list has an empty entry (opt_out)."),
        ({"help": ("AIDE", "Stop")}, "The keyword Stop is both opt_out and help."),
        ({"opt_in": ("x" * 41,)}, f"The keyword {'x' * 41} is longer than 40 characters."),
        ({"confirm_within_hours": 0}, "The time to confirm an opt-in must be at least one hour."),
        ({"replies_per_hour": 0}, "At least one automatic reply an hour must be allowed"),
    ],
)
def test_it_refuses_rules_that_cannot_be_applied_as_written(change, reason):
    with pytest.raises(Refusal) as refused:
        dataclasses.replace(RULES, **change)
    assert str(refused.value).startswith(reason)


def test_rules_never_saved_are_the_defaults_and_saved_ones_come_back(sessions):
    with sessions() as session:
        assert account_settings.keyword_rules(session) == RULES
        changed = dataclasses.replace(RULES, help=("INFOS",), default_reply="Merci !")
        account_settings.save(session, account_settings.KEYWORDS, changed, COMMAND_LINE)
        session.commit()
    with sessions() as session:
        loaded = account_settings.keyword_rules(session)
    assert loaded == changed
    assert loaded.kind_of("infos") is Kind.HELP
    assert loaded.kind_of("aide") is None
