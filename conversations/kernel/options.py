"""The fixed answer lists of the profile questions. Codes are stored; labels are msgids translated at render."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.kernel.i18n import N_, NC_


@dataclass(frozen=True)
class Option:
    code: str
    label: str


REGIONS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("cph", N_("Copenhagen area")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("zealand", N_("Rest of Zealand")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("aarhus", N_("Aarhus")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("jutland", N_("Rest of Jutland")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("funen", N_("Funen")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("online", N_("Online only")),
)
# Where a woman lives: "Online only" is a way to meet (a filter), not a home.
HOMES = tuple(o for o in REGIONS if o.code != "online")

FIELDS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("it", N_("IT")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("eng", N_("Engineering")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("health", N_("Health")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("edu", NC_("professional field", "Education")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("finance", N_("Finance and accounting")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("law", N_("Law")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("social", N_("Social sciences")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("science", N_("Natural sciences")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("business", N_("Business and management")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("media", N_("Communication and media")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("design", N_("Design and architecture")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("service", N_("Hospitality and service")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("public", N_("Public administration")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("startup", N_("Entrepreneurship")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("other", NC_("professional field", "Other")),
)

EDUCATION = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("school", N_("Primary or secondary school")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("vocational", N_("Vocational training")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("bachelor", N_("Bachelor's degree")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("master", N_("Master's degree")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("phd", N_("PhD")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("other", NC_("education level", "Other")),
)

EXPERIENCE = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("0", N_("None yet")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("1", N_("Less than 2 years")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("2", N_("2 to 5 years")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("6", N_("6 to 10 years")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("11", N_("More than 10 years")),
)

DANISH_LEVELS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("none", N_("Not yet")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("basic", N_("A little")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("daily", N_("Enough for daily life")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("work", N_("Enough for work")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("fluent", N_("Fluent")),
)

GOALS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("market", N_("The Danish labour market")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("cv", N_("CV and applications")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("interview", N_("Job interviews")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("network", N_("Professional network")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("recognition", N_("Recognition of education")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("study", N_("Further education")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("business", N_("Starting a business")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("culture", N_("Danish workplace culture")),
)

MEETING_MODES = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("in_person", N_("In person")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("online", N_("Online")),
)

CAPACITY = (Option("1", "1"), Option("2", "2"), Option("3", "3"))

# Spoken languages are named in her own language by the catalog (i18n.LANGUAGE_NAMES).
SPOKEN_LANGUAGES = (
    "da", "en", "ar", "fa", "uk", "ru", "ti", "am", "so", "tr", "ku", "ps", "ur", "fr", "de", "es",
)  # fmt: skip
# NOTE: button, ≤ 27 characters (✓ when chosen)
OTHER_LANGUAGE = Option("other", N_("Another language"))

# What a meeting was about: chips on the report, in a few taps.
TOPICS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("market", N_("Labour market")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("cv", N_("CV and applications")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("interview", N_("Interview practice")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("network", N_("Network")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("education", N_("Education and recognition")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("danish", N_("Danish language")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("culture", N_("Workplace culture")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("personal", N_("Personal situation")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("other", NC_("meeting topic", "Other")),
)
LENGTHS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("30", N_("30 min")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("60", N_("1 h")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("90", N_("1.5 h")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("120", N_("2 h or more")),
)
MET = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("yes", N_("Yes, we met")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("postponed", N_("Postponed")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("cancelled", N_("Cancelled")),
)
