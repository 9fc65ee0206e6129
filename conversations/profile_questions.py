"""The profile questions of each role, and her answers as lines of a card.

Onboarding asks them, /profile edits them, and a mentor's request card and a coordinator's vetting card show
them; so they live here, apart from any of those flows.
"""

from __future__ import annotations

from typing import Any

from conversations.kernel.i18n import N_, NC_
from conversations.kernel.options import (
    CAPACITY,
    DANISH_LEVELS,
    EDUCATION,
    EXPERIENCE,
    FIELDS,
    GOALS,
    HOMES,
    MEETING_MODES,
)
from conversations.kernel.questions import (
    NAME,
    ChoiceQuestion,
    LanguagesQuestion,
    MultiQuestion,
    Question,
    TextQuestion,
)

# Every label below is also a ✏️ button on her profile card.


def _lives_in(regions: tuple) -> ChoiceQuestion:  # type: ignore[type-arg]
    return ChoiceQuestion(
        "region",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Lives in"),
        N_("Where do you live?"),
        regions,
        columns=2,
    )


FIELDS_QUESTION = MultiQuestion(
    "fields",
    # NOTE: button, ≤ 27 characters (after ✏️ on the card)
    N_("Professional field"),
    N_("Which professional field is yours?"),
    FIELDS,
    columns=2,
)
EXPERIENCE_QUESTION = ChoiceQuestion(
    "experience",
    # NOTE: button, ≤ 27 characters (after ✏️ on the card)
    N_("Work experience"),
    N_("How many years have you worked?"),
    EXPERIENCE,
)
LANGUAGES_QUESTION = LanguagesQuestion(
    "languages",
    # NOTE: button, ≤ 27 characters (after ✏️ on the card)
    N_("Languages"),
    N_("Which languages do you speak?"),
    columns=2,
)

MENTEE_QUESTIONS: tuple[Question, ...] = (
    NAME,
    _lives_in(HOMES),
    FIELDS_QUESTION,
    ChoiceQuestion(
        "education",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        NC_("her schooling", "Education"),
        N_("What is your highest education?"),
        EDUCATION,
    ),
    EXPERIENCE_QUESTION,
    LANGUAGES_QUESTION,
    ChoiceQuestion(
        "danish",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Danish"),
        N_("How good is your Danish?"),
        DANISH_LEVELS,
    ),
    MultiQuestion(
        "goals",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Wants help with"),
        N_("What would you like help with?"),
        GOALS,
    ),
    TextQuestion(
        "about",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Introduction"),
        N_("Tell a mentor a little about yourself: your work, your plans, what matters to you."),
        limit=500,
        optional=True,
        single_line=False,
    ),
)

MENTOR_QUESTIONS: tuple[Question, ...] = (
    NAME,
    TextQuestion(
        "job_title",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Job title"),
        N_("What is your job title?"),
        limit=80,
    ),
    TextQuestion(
        "employer",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Employer"),
        N_("Where do you work?"),
        limit=80,
    ),
    FIELDS_QUESTION,
    EXPERIENCE_QUESTION,
    _lives_in(HOMES),
    LANGUAGES_QUESTION,
    MultiQuestion(
        "meeting_modes",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Meets"),
        N_("How can you meet a mentee?"),
        MEETING_MODES,
    ),
    MultiQuestion(
        "helps_with",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Can help with"),
        N_("What can you help a mentee with?"),
        GOALS,
    ),
    ChoiceQuestion(
        "capacity",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Mentees at once"),
        N_("How many mentees can you have at the same time?"),
        CAPACITY,
        3,
    ),
    TextQuestion(
        "about",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Introduction"),
        N_("Tell a mentee a little about yourself: your work, your path, why you want to be a mentor."),
        limit=500,
        optional=True,
        single_line=False,
    ),
)

COORDINATOR_QUESTIONS: tuple[Question, ...] = (NAME,)


def questions(role: str | None) -> tuple[Question, ...]:
    return {"mentee": MENTEE_QUESTIONS, "mentor": MENTOR_QUESTIONS, "coordinator": COORDINATOR_QUESTIONS}.get(
        role or "", ()
    )


def profile_lines(view: Any, role: str | None, values: dict[str, Any]) -> list[str]:
    """One line per answer, rendered for `view` (her own Context, or a Voice for a coordinator or a mentor)."""
    return [view.t.label(f"<b>{view._(q.label)}</b>", q.show(view, values.get(q.key))) for q in questions(role)]
