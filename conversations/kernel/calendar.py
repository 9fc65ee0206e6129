"""A calendar invitation (.ics, RFC 5545) for a meeting or an event, in Europe/Copenhagen time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from conversations.kernel.i18n import COPENHAGEN
from conversations.kernel.messages import Attachment

# Denmark's rules since 1996: CEST from the last Sunday of March, CET from the last Sunday of October.
VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Copenhagen
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def filename(title: str) -> str:
    """A file name she recognises in her downloads: the title, without what file systems refuse."""
    name = re.sub(r"[^\w\s.-]", "", title, flags=re.UNICODE).strip().replace(" ", "-")
    return f"{name[:60] or 'invitation'}.ics"


def invitation(
    uid: int | str,
    starts_at: datetime,
    summary: str,
    location: str,
    now: datetime,
    *,
    ends_at: datetime | None = None,
    name: str = "meeting.ics",
) -> Attachment:
    local = starts_at.astimezone(COPENHAGEN)
    end = ends_at.astimezone(COPENHAGEN) if ends_at is not None else local + timedelta(hours=1)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mentornet//Mentornet bot//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *VTIMEZONE.splitlines(),
        "BEGIN:VEVENT",
        f"UID:{uid if isinstance(uid, str) else f'meeting-{uid}'}@mentornet",
        f"DTSTAMP:{now.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID=Europe/Copenhagen:{local:%Y%m%dT%H%M%S}",
        f"DTEND;TZID=Europe/Copenhagen:{end:%Y%m%dT%H%M%S}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return Attachment(name, "\r\n".join(lines) + "\r\n")
