"""/stats: the programme's numbers for coordinators, a chart of start against end, and a CSV for evaluators.

Filters: year, the mentee's place, the mentor's partner company. A place or a company is a part of the programme:
its counts of 1-4 show as "<5". The CSV has one row per mentorship, no names, no platform ids, rows in random order
under labels made anew for each export, and what someone might know about a woman (place, company, months,
status, meetings) coarsened until every combination of it is shared by at least five rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no screen: render straight to PNG

from matplotlib import pyplot as plt

from conversations.kernel import audit
from conversations.kernel.flow import Context, action, stale
from conversations.kernel.i18n import N_, Translator
from conversations.kernel.messages import Attachment, Button, Reply
from conversations.kernel.options import REGIONS
from conversations.mentorship.survey_defs import INDICATORS, SURVEYS
from conversations.vetting import is_coordinator
from storage import indicators
from storage.companies import all_companies
from storage.models import Company

FIRST_YEAR = 2002  # the network's first mentorships

LABELS = {
    "employment": N_("In work"),
    "own_field": N_("In work in her field"),
    # NOTE: button, ≤ 30 characters
    "education": N_("In education"),
    "network": N_("3 or more people to ask"),
    "clarity": N_("Clarity (1–5)"),
    "danish": N_("Danish (1–5)"),
    "confidence": N_("Confidence (1–5)"),
}
# Chart fonts draw Latin and Cyrillic script well; other scripts get the English labels on the chart only.
CHART_SCRIPTS_OK = {"da", "en", "uk", "tr", "so"}


def scope_of(ctx: Context) -> indicators.Scope:
    data = ctx.data.get("stats") or {}
    year = data.get("year", ctx.now.year)
    return indicators.Scope(year=year or None, region=data.get("region"), company_id=data.get("company"))


async def stats_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    await render(ctx)


def value(paired: indicators.Paired, which: float) -> str:
    return f"{round(which * 100)} %" if paired.kind == "share" else f"{which:.1f}"


def hidden(scope: indicators.Scope, count: int) -> bool:
    """In a place or a company, a count of 1-4 is not shown, nor anything computed from so few women."""
    return scope.is_group and indicators.small(count)


def count_cell(scope: indicators.Scope, count: int) -> str:
    return f"<{indicators.SMALLEST_GROUP}" if hidden(scope, count) else str(count)


def plotted(report: indicators.Report) -> list[indicators.Paired]:
    return [p for p in report.paired if p.n and not hidden(report.scope, p.n)]


async def render(ctx: Context) -> None:
    scope = scope_of(ctx)
    report = await indicators.compute(ctx.session, scope, ctx.now)
    lines = ["<b>" + ctx._("Programme numbers") + "</b> · " + await scope_label(ctx, scope), ""]
    lines.append(
        ctx._("Mentorships started: {count} (target {target} a year)").format(
            count=count_cell(scope, report.started), target=indicators.TARGET_MENTORSHIPS
        )
    )
    low, high = indicators.TARGET_COMPANIES
    lines.append(
        ctx._("Partner companies: {count} (target {low}–{high})").format(count=report.companies, low=low, high=high)
    )
    low, high = indicators.TARGET_INTRO
    lines.append(
        ctx._("Intro-course participants: {count} (target {low}–{high} a year)").format(
            count=report.intro_participants, low=low, high=high
        )
    )
    lines.append(
        ctx._("Collective mentoring events held: {count} (target {target} a year)").format(
            count=report.collective_events, target=indicators.TARGET_COLLECTIVE
        )
    )
    lines += [
        "",
        "<b>"
        + ctx._("Start and end, completed mentorships with both surveys: {n}").format(
            n=count_cell(scope, report.completed_with_both)
        )
        + "</b>",
    ]
    for p in report.paired:
        if hidden(scope, p.n):
            lines.append(ctx.t.label(ctx._(LABELS[p.indicator]), f"— (n<{indicators.SMALLEST_GROUP})"))
        elif p.n:
            lines.append(ctx.t.label(ctx._(LABELS[p.indicator]), f"{value(p, p.start)} → {value(p, p.end)} (n={p.n})"))
        else:
            lines.append(ctx.t.label(ctx._(LABELS[p.indicator]), "— (n=0)"))
    lines.append("")
    former, now_mentors = report.former_mentees, report.former_mentees_now_mentors
    share: object = round(100 * now_mentors / former) if former else 0
    if hidden(scope, former) or hidden(scope, now_mentors):
        share = "—"  # a share of so few would give the hidden count away
    lines.append(
        ctx._("Former mentees who are now mentors: {count} of {total} ({share} %)").format(
            count=count_cell(scope, now_mentors), total=count_cell(scope, former), share=share
        )
    )
    # Means and shares of a group of 1-4 mentorships describe those few women: not shown either.
    too_few = hidden(scope, report.started)
    per_mentorship = "—" if too_few else f"{report.meetings_per_mentorship:.1f}"
    lines.append(ctx._("Meetings per mentorship: {value}").format(value=per_mentorship))
    both: object = (
        round(100 * report.meetings_reported_by_both / report.meetings_reported) if report.meetings_reported else 0
    )
    lines.append(ctx._("Planned meetings reported by both sides: {share} %").format(share="—" if too_few else both))
    buttons = [
        [
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(ctx._("This year"), f"st:y:{ctx.now.year}"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(ctx._("Last year"), f"st:y:{ctx.now.year - 1}"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(ctx._("All years"), "st:y:0"),
        ],
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        [Button(ctx._("Place"), "st:places"), Button(ctx._("Company"), "st:companies")],
        # NOTE: button, ≤ 30 characters
        [Button(ctx._("⬇ CSV for evaluators"), "st:csv")],
    ]
    ctx.say("\n".join(lines), buttons)
    if plotted(report):
        ctx.replies.append(_chart_reply(ctx, report))


async def scope_label(ctx: Context, scope: indicators.Scope) -> str:
    parts = [str(scope.year) if scope.year else ctx._("all years")]
    if scope.region:
        parts.append(next(ctx._(o.label) for o in REGIONS if o.code == scope.region))
    if scope.company_id:
        company = await ctx.session.get(Company, scope.company_id)
        parts.append(ctx.v(company.name) if company else "?")
    return ctx.t.join(parts)


def chart(report: indicators.Report, t: Translator) -> bytes:
    """Start against end per indicator, paired; shares and 1–5 means on one 0–100 % axis."""
    shown = plotted(report)
    names = [f"{t._(LABELS[p.indicator])}\n(n={p.n})" for p in shown]

    def scaled(p: indicators.Paired, x: float) -> float:
        return 100 * (x if p.kind == "share" else (x - 1) / 4)

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    positions = range(len(shown))
    ax.bar([i - 0.2 for i in positions], [scaled(p, p.start) for p in shown], 0.4, label=t._("Start"), color="#9bb7d4")
    ax.bar([i + 0.2 for i in positions], [scaled(p, p.end) for p in shown], 0.4, label=t._("End"), color="#2e6f40")
    ax.set_xticks(list(positions), names, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.legend()
    ax.set_title(
        t._("Start and end, completed mentorships with both surveys: {n}").format(
            n=count_cell(report.scope, report.completed_with_both)
        )
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _chart_reply(ctx: Context, report: indicators.Report) -> Reply:
    t = ctx.t if ctx.t.locale in CHART_SCRIPTS_OK else Translator("en")
    return Reply(
        ctx._("The chart: start and end side by side."),
        attachment=Attachment("indicators.png", chart(report, t), "image/png"),
    )


# -- the CSV -------------------------------------------------------------------------------------------------
# What someone who knows a woman could find her row by. These columns are coarsened; the answers are not.
QUASI_IDENTIFIERS = ("started", "status", "ended", "mentee_place", "partner_company", "meetings")
OTHER = "other"  # a place or company with fewer than SMALLEST_GROUP mentorships in the export, or any of them
SUPPRESSED = "suppressed"  # a cell no coarsening could hide
RUNNING = frozenset({"active", "paused"})


@dataclass(frozen=True)
class Known:
    """One mentorship's quasi-identifiers, exact."""

    started: date
    status: str
    ended: date | None
    place: str
    company: str
    meetings: int


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _half(day: date) -> str:
    return f"{day.year}-H{(day.month - 1) // 6 + 1}"


def _year(day: date) -> str:
    return str(day.year)


def _meetings_band(n: int) -> str:
    # Words, not "1-2": a spreadsheet would read that as a date.
    for upto, label in ((0, "0"), (2, "1 to 2"), (5, "3 to 5"), (9, "6 to 9")):
        if n <= upto:
            return label
    return "10 or more"


def _meetings_any(n: int) -> str:
    return "0" if n == 0 else "1 or more"


def _status_fine(status: str) -> str:
    return status


def _status_coarse(status: str) -> str:
    return "running" if status in RUNNING else "ended"


def _kept(value: str) -> str:
    return value


def _other(value: str) -> str:
    return OTHER


def _level(
    place: Callable[[str], str],
    company: Callable[[str], str],
    when: Callable[[date], str],
    status: Callable[[str], str],
    meetings: Callable[[int], str],
) -> Callable[[Known], tuple[str, ...]]:
    """One way of coarsening a row: what it shows, in the order of QUASI_IDENTIFIERS."""

    def shown(k: Known) -> tuple[str, ...]:
        ended = when(k.ended) if k.ended else ""
        return when(k.started), status(k.status), ended, place(k.place), company(k.company), meetings(k.meetings)

    return shown


# Every way of coarsening, from the finest on, in the order of what evaluators need most: a row keeps its place
# as long as it can, then its company, then the finest dates, then its exact status, then its meetings.
LEVELS = tuple(
    _level(*way)
    for way in itertools.product(
        (_kept, _other),
        (_kept, _other),
        (_month, _quarter, _half, _year),
        (_status_fine, _status_coarse),
        (_meetings_band, _meetings_any, lambda n: SUPPRESSED),
    )
)


def anonymise(rows: list[Known]) -> list[tuple[str, ...]]:
    """What each row shows for its quasi-identifiers: every combination shown is shared by at least
    SMALLEST_GROUP rows, given at least that many rows."""
    least = indicators.SMALLEST_GROUP
    places, companies = Counter(k.place for k in rows), Counter(k.company for k in rows)
    rows = [
        replace(k, place=k.place if places[k.place] >= least else OTHER,
                company=k.company if companies[k.company] >= least else OTHER)
        for k in rows
    ]  # fmt: skip
    shown: list[tuple[str, ...] | None] = [None] * len(rows)
    sizes: Counter[tuple[str, ...]] = Counter()
    left = list(range(len(rows)))
    for level in LEVELS:
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i in left:
            groups[level(rows[i])].append(i)
        left = []
        for key, members in groups.items():
            if len(members) + sizes[key] >= least:  # rows coarsened further may join a group already shown
                sizes[key] += len(members)
                for i in members:
                    shown[i] = key
            else:
                left += members
    # What no coarsening could hide shows nothing. Those rows form a group too: if it is too small, the smallest
    # groups shown join it.
    while 0 < len(left) < least and sizes:
        smallest = min(sizes, key=sizes.__getitem__)
        del sizes[smallest]
        left += [i for i, key in enumerate(shown) if key == smallest]
    for i in left:
        shown[i] = (SUPPRESSED,) * len(QUASI_IDENTIFIERS)
    return [key for key in shown if key is not None]


def labels(n: int) -> list[str]:
    """Row labels drawn anew for every export, so no label links two exports or tells when a row began."""
    made: set[str] = set()
    while len(made) < n:
        made.add(f"M{secrets.token_hex(5)}")
    return list(made)


async def csv_export(ctx: Context) -> bytes | None:
    """The CSV of the chosen scope; None when it holds fewer than SMALLEST_GROUP mentorships, too few to hide in."""
    scope = scope_of(ctx)
    rows = await indicators.mentorships(ctx.session, scope)
    if len(rows) < indicators.SMALLEST_GROUP:
        return None
    ids = [m.id for m in rows]
    answers = await indicators.surveys_of(ctx.session, ids)
    facts = await indicators.export_facts(ctx.session, ids)
    companies = {c.id: c.name for c in await all_companies(ctx.session)}
    known = [
        Known(
            m.started_at.date(), m.status, m.ended_at.date() if m.ended_at else None, facts[m.id][0],
            companies.get(facts[m.id][1], "") if facts[m.id][1] else "", facts[m.id][2],
        )
        for m in rows
    ]  # fmt: skip
    shown = anonymise(known)
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["mentorship", *QUASI_IDENTIFIERS]
    for q in INDICATORS:
        header += [f"start_{q.id}", f"start_{q.id}_version", f"end_{q.id}", f"end_{q.id}_version"]
    extra = [q.id for q in SURVEYS["mentee_end"] if q not in INDICATORS]
    header += ["start_challenges", *(f"end_{e}" for e in extra)]
    writer.writerow(header)
    order = list(range(len(rows)))
    secrets.SystemRandom().shuffle(order)  # no trace of the start order
    for label, i in zip(labels(len(rows)), order, strict=True):
        m = rows[i]
        start, end = answers.get((m.id, "mentee_start"), {}), answers.get((m.id, "mentee_end"), {})
        row: list[object] = [label, *shown[i]]
        for q in INDICATORS:
            for side in (start, end):
                given = side.get(q.id)
                row += [_cell(given["a"]) if given else "", given["v"] if given else ""]
        challenges = start.get("challenges")
        row.append(_cell(challenges["a"]) if challenges else "")
        row += [_cell(end[e]["a"]) if e in end else "" for e in extra]
        writer.writerow(row)
    return out.getvalue().encode()


def _cell(answer: object) -> str:
    if answer is None:
        return "skipped"
    if isinstance(answer, list):
        return ";".join(answer)
    return str(answer)


@action("st")
async def stats_action(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    data = ctx.data.setdefault("stats", {})
    kind, _, arg = value.partition(":")
    if kind == "y" and arg.isdigit():
        year = int(arg)
        if year and not FIRST_YEAR <= year <= ctx.now.year + 1:  # only a forged button asks for such a year
            await stale(ctx)
            return
        data["year"] = year
    elif kind == "places":
        # NOTE: button, ≤ 30 characters
        buttons = [[Button(ctx._(o.label), f"st:r:{o.code}")] for o in REGIONS] + [[Button(ctx._("any"), "st:r:")]]
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        ctx.say(ctx._("Place"), buttons)
        return
    elif kind == "r":
        if arg and arg not in {o.code for o in REGIONS}:  # only a forged button names a place we do not have
            await stale(ctx)
            return
        data["region"] = arg or None
    elif kind == "companies":
        companies = await all_companies(ctx.session)
        # NOTE: button, ≤ 30 characters
        buttons = [[Button(c.name, f"st:k:{c.id}")] for c in companies] + [[Button(ctx._("any"), "st:k:")]]
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        ctx.say(ctx._("Company"), buttons)
        return
    elif kind == "k":
        data["company"] = int(arg) if arg.isdigit() else None
    elif kind == "csv":
        content = await csv_export(ctx)
        if content is not None:
            audit.log(ctx, "export_csv", None)
        if content is None:
            ctx.say(
                ctx._("No CSV: fewer than {n} mentorships here, so a row could point to one woman.").format(
                    n=indicators.SMALLEST_GROUP
                )
            )
            return
        stamp = ctx.now.strftime("%Y%m%d")
        ctx.replies.append(_csv_reply(ctx, Attachment(f"mentornet-{stamp}.csv", content, "text/csv")))
        return
    else:
        await stale(ctx)
        return
    await render(ctx)


def _csv_reply(ctx: Context, attachment: Attachment) -> Reply:
    return Reply(
        ctx._("One row per mentorship, without names or ids; the columns are explained in the README."),
        attachment=attachment,
    )
