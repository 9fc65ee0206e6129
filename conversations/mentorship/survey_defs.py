"""The surveys, as data: question id, version, kind and options. Labels are msgids, translated at render.

The mentee's start and end surveys ask the same indicator questions in the same form, so each pair compares 1:1.
Changing a question's meaning or options means raising its `version`: answers keep the version they were given
under, and the report compares a start and an end answer only when their versions match.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.kernel.i18n import N_, NC_
from conversations.kernel.options import DANISH_LEVELS, Option


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    version: int
    text: str  # msgid
    options: tuple[Option, ...]
    multi: bool = False
    scale: bool = False  # 1-5: buttons show the number, the ends also their meaning


def scale(low: str, high: str) -> tuple[Option, ...]:
    return (Option("1", low), Option("2", "2"), Option("3", "3"), Option("4", "4"), Option("5", high))


# NOTE: button, ≤ 30 characters
YES_NO = (Option("yes", N_("Yes")), Option("no", N_("No")))
IN_WORK = frozenset({"part_time", "full_time", "self_employed"})

EMPLOYMENT = SurveyQuestion(
    "employment",
    1,
    N_("What is your work situation now?"),
    (
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("seeking", N_("Looking for a job")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("education", N_("In education")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("internship", N_("Internship")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("part_time", N_("Part-time job")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("full_time", N_("Full-time job")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("self_employed", N_("Self-employed")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("other", NC_("work situation", "Other")),
    ),
)
OWN_FIELD = SurveyQuestion(
    "own_field",
    1,
    N_("If you work: is the job within your own professional field?"),
    # NOTE: button, ≤ 30 characters
    (*YES_NO, Option("no_job", N_("I do not work now"))),
)
EDUCATION = SurveyQuestion(
    "education",
    1,
    N_("Are you in education now? If so, which?"),
    (
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("no", N_("No")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("danish", N_("Danish language school")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("vocational", N_("Vocational education")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("higher", N_("Bachelor's or master's")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("other", N_("Other education")),
    ),
)
NETWORK = SurveyQuestion(
    "network",
    1,
    N_("How many people in Denmark could you ask for advice about your career?"),
    (Option("0", "0"), Option("1", "1–2"), Option("3", "3–5"), Option("6", "6+")),
)
CLARITY = SurveyQuestion(
    "clarity",
    1,
    N_("How clear are your next steps towards work in Denmark?"),
    scale(N_("not clear"), N_("very clear")),
    scale=True,
)
DANISH = SurveyQuestion("danish", 1, N_("How good is your Danish?"), DANISH_LEVELS)
CONFIDENCE = SurveyQuestion(
    "confidence",
    1,
    N_("How confident do you feel about the Danish labour market?"),
    scale(N_("not at all"), N_("very")),
    scale=True,
)
CHALLENGES = SurveyQuestion(
    "challenges",
    1,
    N_("What are your main challenges? Tap all that fit, then Done."),
    (
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("language", N_("The Danish language")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("network", N_("No network")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("recognition", N_("Education not recognised")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("market", N_("Unfamiliar labour market")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("applications", N_("Writing applications")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("childcare", N_("Family and childcare")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("confidence", N_("Self-confidence")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("other", NC_("challenge", "Other")),
    ),
    multi=True,
)
HELPED = SurveyQuestion(
    "helped", 1, N_("How much did the mentorship help you?"), scale(N_("not at all"), N_("very much")), scale=True
)
RECOMMEND = SurveyQuestion(
    "recommend", 1, N_("Would you recommend a mentor to a friend?"), (*YES_NO, Option("maybe", N_("Maybe")))
)
BECOME_MENTOR = SurveyQuestion(
    "become_mentor",
    1,
    N_("Would you like to become a mentor yourself one day?"),
    (*YES_NO, Option("maybe", N_("Maybe"))),
)
HOPES = SurveyQuestion(
    "hopes",
    1,
    N_("What do you hope to give and get as a mentor? Tap all that fit, then Done."),
    (
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("share", N_("Share what I know")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("job", N_("Help her into a job")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("culture", N_("Learn about other cultures")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("network", N_("Grow my own network")),
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        Option("skills", N_("Grow as a leader")),
    ),
    multi=True,
)
READY = SurveyQuestion(
    "ready", 1, N_("How ready do you feel to be a mentor?"), scale(N_("not yet"), N_("very")), scale=True
)
WENT = SurveyQuestion("went", 1, N_("How did the mentorship go?"), scale(N_("badly"), N_("very well")), scale=True)
AGAIN = SurveyQuestion("again", 1, N_("Would you be a mentor again?"), (*YES_NO, Option("maybe", N_("Maybe"))))

# The paired indicators, in the order the report shows them.
INDICATORS = (EMPLOYMENT, OWN_FIELD, EDUCATION, NETWORK, CLARITY, DANISH, CONFIDENCE)

SURVEYS: dict[str, tuple[SurveyQuestion, ...]] = {
    "mentee_start": (*INDICATORS, CHALLENGES),
    "mentee_end": (*INDICATORS, HELPED, RECOMMEND, BECOME_MENTOR),
    "mentor_start": (HOPES, READY),
    "mentor_end": (WENT, AGAIN),
}
