"""The fixed answer lists of the profile questions. Codes are stored; labels are msgids translated at render."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.kernel.i18n import N_


@dataclass(frozen=True)
class Option:
    code: str
    label: str


REGIONS = (
    Option("cph", N_("Copenhagen area")),
    Option("zealand", N_("Rest of Zealand")),
    Option("aarhus", N_("Aarhus")),
    Option("jutland", N_("Rest of Jutland")),
    Option("funen", N_("Funen")),
    Option("online", N_("Online only")),
)
# A mentor lives somewhere; whether she meets online is asked separately.
MENTOR_REGIONS = tuple(o for o in REGIONS if o.code != "online")

FIELDS = (
    Option("it", N_("IT")),
    Option("eng", N_("Engineering")),
    Option("health", N_("Health")),
    Option("edu", N_("Education")),
    Option("finance", N_("Finance and accounting")),
    Option("law", N_("Law")),
    Option("social", N_("Social sciences")),
    Option("science", N_("Natural sciences")),
    Option("business", N_("Business and management")),
    Option("media", N_("Communication and media")),
    Option("design", N_("Design and architecture")),
    Option("service", N_("Hospitality and service")),
    Option("public", N_("Public administration")),
    Option("startup", N_("Entrepreneurship")),
    Option("other", N_("Other")),
)

EDUCATION = (
    Option("school", N_("Primary or secondary school")),
    Option("vocational", N_("Vocational training")),
    Option("bachelor", N_("Bachelor's degree")),
    Option("master", N_("Master's degree")),
    Option("phd", N_("PhD")),
    Option("other", N_("Other")),
)

EXPERIENCE = (
    Option("0", N_("None yet")),
    Option("1", N_("Less than 2 years")),
    Option("2", N_("2 to 5 years")),
    Option("6", N_("6 to 10 years")),
    Option("11", N_("More than 10 years")),
)

DANISH_LEVELS = (
    Option("none", N_("Not yet")),
    Option("basic", N_("A little")),
    Option("daily", N_("Enough for daily life")),
    Option("work", N_("Enough for work")),
    Option("fluent", N_("Fluent")),
)

GOALS = (
    Option("market", N_("Understand the Danish labour market")),
    Option("cv", N_("CV and applications")),
    Option("interview", N_("Job interviews")),
    Option("network", N_("Professional network")),
    Option("recognition", N_("Recognition of education")),
    Option("study", N_("Further education")),
    Option("business", N_("Starting a business")),
    Option("culture", N_("Danish workplace culture")),
)

MEETING_MODES = (
    Option("in_person", N_("In person")),
    Option("online", N_("Online")),
)

CAPACITY = (Option("1", "1"), Option("2", "2"), Option("3", "3"))

# Spoken languages are named by Babel (CLDR) in the user's own language, so they need no catalog entries.
SPOKEN_LANGUAGES = (
    "da", "en", "ar", "fa", "uk", "ru", "ti", "am", "so", "tr", "ku", "ps", "ur", "fr", "de", "es",
)  # fmt: skip
OTHER_LANGUAGE = Option("other", N_("Another language"))

# What a meeting was about: chips on the report, in a few taps.
TOPICS = (
    Option("market", N_("Labour market")),
    Option("cv", N_("CV and applications")),
    Option("interview", N_("Interview practice")),
    Option("network", N_("Network")),
    Option("education", N_("Education and recognition")),
    Option("danish", N_("Danish language")),
    Option("culture", N_("Workplace culture")),
    Option("personal", N_("Personal situation")),
    Option("other", N_("Other")),
)
LENGTHS = (
    Option("30", N_("30 min")),
    Option("60", N_("1 h")),
    Option("90", N_("1.5 h")),
    Option("120", N_("2 h or more")),
)
MET = (
    Option("yes", N_("Yes, we met")),
    Option("postponed", N_("Postponed")),
    Option("cancelled", N_("Cancelled")),
)
