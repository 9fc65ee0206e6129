"""/stats: the programme's numbers for coordinators, a chart of start against end, and a CSV for evaluators.

Filters: year, the mentee's place, the mentor's partner company. The CSV has one pseudonymous row per
mentorship: no names, no platform ids, and row labels that say nothing about who is behind them.
"""

from __future__ import annotations

import csv
import io

import matplotlib

matplotlib.use("Agg")  # no screen: render straight to PNG

from matplotlib import pyplot as plt

from conversations.kernel.flow import Context, action, stale
from conversations.kernel.i18n import N_, Translator
from conversations.kernel.messages import Attachment, Button, Reply
from conversations.kernel.options import REGIONS
from conversations.mentorship.survey_defs import INDICATORS, SURVEYS
from conversations.vetting import is_coordinator
from storage import indicators
from storage.companies import all_companies
from storage.models import Company, MenteeProfile, MentorProfile
from storage.reports import days_met

LABELS = {
    "employment": N_("In work"),
    "own_field": N_("In work in her field"),
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


async def render(ctx: Context) -> None:
    scope = scope_of(ctx)
    report = await indicators.compute(ctx.session, scope, ctx.now)
    lines = ["<b>" + ctx._("Programme numbers") + "</b> · " + await scope_label(ctx, scope), ""]
    lines.append(
        ctx._("Mentorships started: {count} (target {target} a year)").format(
            count=report.started, target=indicators.TARGET_MENTORSHIPS
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
        + ctx._("Start and end, completed mentorships with both surveys: {n}").format(n=report.completed_with_both)
        + "</b>",
    ]
    for p in report.paired:
        if p.n:
            lines.append(f"{ctx._(LABELS[p.indicator])}: {value(p, p.start)} → {value(p, p.end)} (n={p.n})")
        else:
            lines.append(f"{ctx._(LABELS[p.indicator])}: — (n=0)")
    lines.append("")
    share = round(100 * report.former_mentees_now_mentors / report.former_mentees) if report.former_mentees else 0
    lines.append(
        ctx._("Former mentees who are now mentors: {count} of {total} ({share} %)").format(
            count=report.former_mentees_now_mentors, total=report.former_mentees, share=share
        )
    )
    lines.append(ctx._("Meetings per mentorship: {value}").format(value=f"{report.meetings_per_mentorship:.1f}"))
    both = round(100 * report.meetings_reported_by_both / report.meetings_reported) if report.meetings_reported else 0
    lines.append(ctx._("Planned meetings reported by both sides: {share} %").format(share=both))
    buttons = [
        [
            Button(ctx._("This year"), f"st:y:{ctx.now.year}"),
            Button(ctx._("Last year"), f"st:y:{ctx.now.year - 1}"),
            Button(ctx._("All years"), "st:y:0"),
        ],
        [Button(ctx._("Place"), "st:places"), Button(ctx._("Company"), "st:companies")],
        [Button(ctx._("⬇ CSV for evaluators"), "st:csv")],
    ]
    ctx.say("\n".join(lines), buttons)
    if any(p.n for p in report.paired):
        ctx.replies.append(_chart_reply(ctx, report))


async def scope_label(ctx: Context, scope: indicators.Scope) -> str:
    parts = [str(scope.year) if scope.year else ctx._("all years")]
    if scope.region:
        parts.append(next(ctx._(o.label) for o in REGIONS if o.code == scope.region))
    if scope.company_id:
        company = await ctx.session.get(Company, scope.company_id)
        parts.append(ctx.v(company.name) if company else "?")
    return ", ".join(parts)


def chart(report: indicators.Report, t: Translator) -> bytes:
    """Start against end per indicator, paired; shares and 1–5 means on one 0–100 % axis."""
    shown = [p for p in report.paired if p.n]
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
        t._("Start and end, completed mentorships with both surveys: {n}").format(n=report.completed_with_both)
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


async def csv_export(ctx: Context) -> bytes:
    scope = scope_of(ctx)
    rows = await indicators.mentorships(ctx.session, scope)
    answers = await indicators.surveys_of(ctx.session, [m.id for m in rows])
    companies = {c.id: c.name for c in await all_companies(ctx.session)}
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["mentorship", "started", "status", "ended", "mentee_place", "partner_company", "meetings"]
    for q in INDICATORS:
        header += [f"start_{q.id}", f"start_{q.id}_version", f"end_{q.id}", f"end_{q.id}_version"]
    extra = [q.id for q in SURVEYS["mentee_end"] if q not in INDICATORS]
    header += ["start_challenges", *(f"end_{e}" for e in extra)]
    writer.writerow(header)
    for number, m in enumerate(rows, 1):
        mentee = await ctx.session.get(MenteeProfile, m.mentee_id)
        mentor = await ctx.session.get(MentorProfile, m.mentor_id)
        meetings = await days_met(ctx.session, m.id)
        start, end = answers.get((m.id, "mentee_start"), {}), answers.get((m.id, "mentee_end"), {})
        row = [
            f"M{number:04d}", m.started_at.date().isoformat(), m.status, m.ended_at.date().isoformat() if m.ended_at else "",
            mentee.region if mentee else "", companies.get(mentor.company_id, "") if mentor and mentor.company_id else "", len(meetings),
        ]  # fmt: skip
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
        data["year"] = int(arg)
    elif kind == "places":
        buttons = [[Button(ctx._(o.label), f"st:r:{o.code}")] for o in REGIONS] + [[Button(ctx._("any"), "st:r:")]]
        ctx.say(ctx._("Place"), buttons)
        return
    elif kind == "r":
        data["region"] = arg or None
    elif kind == "companies":
        companies = await all_companies(ctx.session)
        buttons = [[Button(c.name, f"st:k:{c.id}")] for c in companies] + [[Button(ctx._("any"), "st:k:")]]
        ctx.say(ctx._("Company"), buttons)
        return
    elif kind == "k":
        data["company"] = int(arg) if arg.isdigit() else None
    elif kind == "csv":
        stamp = ctx.now.strftime("%Y%m%d")
        ctx.replies.append(_csv_reply(ctx, Attachment(f"mentornet-{stamp}.csv", await csv_export(ctx), "text/csv")))
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
