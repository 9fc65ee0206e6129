"""Tables. Conversation state is a row like everything else, so a restart resumes every user where she was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database; SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str | None] = mapped_column(String(16))  # mentee | mentor | coordinator
    first_name: Mapped[str | None] = mapped_column(String(64))
    consent_version: Mapped[int | None] = mapped_column(Integer)
    consent_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    onboarded_at: Mapped[datetime | None]
    muted: Mapped[bool] = mapped_column(Boolean, default=False)  # no non-essential reminders
    no_announcements: Mapped[bool] = mapped_column(Boolean, default=False)  # no event invitations
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when she deleted her account: the row stays as the anonymous other end of the programme's history
    # (mentorships, survey answers, the other woman's reports) and holds nothing that names her.
    erased_at: Mapped[datetime | None]
    # Her token buckets, {kind: [tokens, refilled at (epoch seconds)]}, saved with the step that spends them.
    limits: Mapped[dict[str, Any] | None]
    retention_asked_at: Mapped[datetime | None]  # "are you still with us?" after long silence
    # A coordinator who joined through another coordinator's invitation, not through COORDINATOR_IDS: the list
    # at start-up leaves her role alone, and only a coordinator removes it.
    invited_coordinator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MenteeProfile(Base):
    __tablename__ = "mentee_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list[str]]
    education: Mapped[str] = mapped_column(String(16))
    experience: Mapped[str] = mapped_column(String(8))
    languages: Mapped[list[str]]
    danish: Mapped[str] = mapped_column(String(16))
    goals: Mapped[list[str]]
    about: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MentorProfile(Base):
    __tablename__ = "mentor_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    job_title: Mapped[str] = mapped_column(String(80))
    employer: Mapped[str] = mapped_column(String(80))
    fields: Mapped[list[str]]
    experience: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]]
    meeting_modes: Mapped[list[str]]
    capacity: Mapped[int] = mapped_column(Integer)
    about: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected | paused
    helps_with: Mapped[list[str]] = mapped_column(default=list)
    # Bit masks of the lists above (bit = position in the option list), so ranking is integer arithmetic in SQL.
    fields_mask: Mapped[int] = mapped_column(BigInteger, default=0)
    languages_mask: Mapped[int] = mapped_column(BigInteger, default=0)
    helps_mask: Mapped[int] = mapped_column(BigInteger, default=0)
    meets_online: Mapped[bool] = mapped_column(Boolean, default=False)
    meets_in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept in step with active mentorships by conditional updates: the last place can be taken only once.
    active_count: Mapped[int] = mapped_column(Integer, default=0)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    # An approved mentor's new employer, title or introduction wait here for a coordinator; mentees keep seeing
    # the approved version until then.
    pending_changes: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    # Bumped whenever a new question is asked; buttons carry it, so a press on an older message is recognised.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Telegram delivers at least once; an update id seen here is not handled again."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class InboxUpdate(Base):
    """An update stored before the platform is told it arrived, and deleted in the transaction that handles it.

    So a row here is work not yet done: a crash leaves it for the next worker, and nothing handled stays behind
    (the `processed_updates` row is the duplicate guard after that).
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_id"),
        Index("inbox_queue", "platform", "user_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int] = mapped_column(BigInteger)
    user_key: Mapped[str] = mapped_column(String(64))  # her id on the platform: one woman's rows run in order
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Company(Base):
    """A partner company whose employees join as mentors through its own link."""

    __tablename__ = "companies"
    __table_args__ = (Index("uq_companies_key", "key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The name without case or spacing: "Novo  Nordisk" and "novo nordisk" are one company (a unique index).
    key: Mapped[str | None] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retired: out of the count and the lists; her mentors keep the tag. Merged: retired into another, whose
    # link this one's link now leads to.
    retired_at: Mapped[datetime | None]
    merged_into: Mapped[int | None] = mapped_column(Integer)

    @validates("name")
    def _keep_key(self, _: str, name: str) -> str:
        self.key = company_key(name)
        return name


def company_key(name: str) -> str:
    """One key per company whatever the case and spacing: "Novo  Nordisk" and "novo nordisk" share it."""
    return " ".join(name.split()).casefold()


class MentorRequest(Base):
    """A mentee asks a mentor. Open until accepted, declined, withdrawn or expired."""

    __tablename__ = "mentor_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    reason: Mapped[str | None] = mapped_column(String(16))  # why declined / withdrawn
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    reminded_day3_at: Mapped[datetime | None]
    reminded_day10_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class Mentorship(Base):
    __tablename__ = "mentorships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_requests.id", ondelete="SET NULL"))
    # active | paused | completed | ended_early | cancelled
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))
    ended_by: Mapped[int | None] = mapped_column(Integer)
    last_contact_at: Mapped[datetime | None]  # the last meeting or report: what the stalled-watch measures from
    mentee_shares_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    mentor_shares_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    def other(self, user_id: int) -> int:
        """The other side of the mentorship."""
        return self.mentor_id if self.mentee_id == user_id else self.mentee_id


class WaitingMentee(Base):
    """A mentee for whom no mentor fits yet, in order of arrival."""

    __tablename__ = "waiting_list"

    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    notified_at: Mapped[datetime | None]


class Meeting(Base):
    """A planned meeting: proposed by one side, confirmed (or moved) by the other."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    proposed_by: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(16))  # in_person | online
    place: Mapped[str | None] = mapped_column(String(200))  # an address, or the link of an online meeting
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed | confirmed | replaced
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingReport(Base):
    """What one side says about one meeting: met or not, the topics, how long, a note."""

    __tablename__ = "meeting_reports"
    __table_args__ = (UniqueConstraint("meeting_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    met: Mapped[str] = mapped_column(String(16))  # yes | postponed | cancelled
    topics: Mapped[list[str]] = mapped_column(default=list)
    minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PairNote(Base):
    """What a coordinator wrote down about a mentorship, for the other coordinators. It is about both women: a
    woman's /mydata shows the notes on her mentorships, and deleting her account deletes them."""

    __tablename__ = "pair_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoordinatorInvite(Base):
    """A one-time link with which a coordinator brings in another: valid for a week, for one person."""

    __tablename__ = "coordinator_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class ProblemReport(Base):
    """What a woman told the coordinators went wrong in her mentorship: what kind of problem, and her words if
    she wrote any. The other woman never sees it."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # noshow | respect | money | safety | other
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nudge(Base):
    """A message due at a time: a reminder, a report request, a nudge, an alert. The clock sends due rows once."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # None: coordinators
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    essential: Mapped[bool] = mapped_column(Boolean, default=False)  # sent even to someone who muted reminders
    done_at: Mapped[datetime | None]  # sent, skipped or no longer relevant


class Outbox(Base):
    """Messages that are not a direct answer, sent by one paced sender. A row is leased while it is sent and
    marked sent after: a crash re-sends at most the one in flight, and loses none."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)  # done: delivered, or given up (see outcome)
    outcome: Mapped[str | None] = mapped_column(String(16))  # sent | blocked | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    # An answer to a woman who is talking to the bot: sent at once after the step's commit and deleted once it
    # is out; the sender takes it only if that did not happen (a crash), and before anything else.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Broadcast(Base):
    """A coordinator's message to a segment. Its outbox rows are the recipients; their outcomes are the progress."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    segment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The coordinator's message that shows the progress, edited as the outbox works through the rows.
    progress_message: Mapped[str | None] = mapped_column(String(64))
    progress_at: Mapped[datetime | None]
    progress_shown: Mapped[int] = mapped_column(Integer, default=-1)  # rows done when last shown
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class SurveyResponse(Base):
    """One person's answers to one survey of one mentorship, saved answer by answer so nothing is lost.

    `answers` maps a question id to {"v": question version, "a": answer}; a skipped question is answered None.
    Start and end answers are compared only where the versions match.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("mentorship_id", "user_id", "survey"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    survey: Mapped[str] = mapped_column(String(16))  # mentee_start | mentee_end | mentor_start | mentor_end
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Event(Base):
    """An intro course, a collective mentoring day, a workshop: published to an audience, with RSVPs."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # intro | collective | workshop | other
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]  # None for events made before the end was asked
    place: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16))  # mentee | mentor | all
    region: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="published")  # published | cancelled
    checkin_code: Mapped[str] = mapped_column(String(12), unique=True)
    invite_code: Mapped[str | None] = mapped_column(String(16), unique=True)  # the guest link's start code
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rsvp(Base):
    """One woman's answer to one event. `going` beyond capacity waits on the waitlist, in order of answer."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))  # going | waitlist | maybe | no
    needs: Mapped[list[str]] = mapped_column(default=list)  # childcare | interpreter | access
    interpreter: Mapped[str | None] = mapped_column(String(8))  # the language she needs
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One coordinator action (approve, reject, cancel, export, broadcast, event change), kept two years."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64))  # what it was done to, by internal id: "mentor:12"
    detail: Mapped[dict[str, Any] | None]


class ScheduledJob(Base):
    """A job that runs once a day whichever process gets there first: claiming it moves `due_at` on."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    due_at: Mapped[datetime]
