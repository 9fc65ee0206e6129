"""Conversation rows from before the frame stack, in the stack's shape.

Before, every detour kept one way back (`meet_return`, `report_return`, ...) and its draft under a global key of
`conversations.data`. Following the way back from her current step gives the detours she is in, top first; each
becomes a frame holding its own draft, and the step the chain ends at is the main flow's. Plain data in, plain
data out: the migration converts stored rows with it, and the engine converts a row still in the old shape (a
process of the previous release wrote it during a deploy).
"""

from __future__ import annotations

import copy
from typing import Any

MAIN_STEPS = ("language", "privacy", "declined", "role", "summary", "idle")
BROWSE_STEPS = ("browse", "no_match", "filters", "request_note")
# Old detours by step: (flow, the key holding the way back).
RETURNS = {
    "meet": "meet_return",
    "report": "report_return",
    "relay": "relay_return",
    "survey": "survey_return",
    "needs": "needs_return",
    "end_reason": "end_return",
    "decline_reason": "decline_return",
    "vet": "vet_return",
    "info": "info_return",
    "coord_write": "coord_return",
    "delete": "before_delete",
    "guest": "guest_return",
}

# Keys an old row may still hold from a detour she was no longer in; what outlives flows (`filters`, `stats`,
# `company`, `paused`) stays.
ABANDONED = (
    "after_language", "form", "meet", "report", "relay", "survey", "survey_pick", "needs", "ending", "declining",
    "vet", "coord_write", "guest_event", "guest_told", "event", "broadcast", "browse", "asking", "filters_edit",
)  # fmt: skip

# The coordinators' form questions were steps of their own; now they are the form kit's `ask:<key>`.
FORM_STEPS = {
    "ev_kind": "ask:kind", "ev_title": "ask:title", "ev_when": "ask:when", "ev_place": "ask:place",
    "ev_capacity": "ask:capacity", "ev_audience": "ask:audience", "ev_region": "ask:region",
    "ev_text": "ask:description", "ev_languages": "ask:languages", "bc_text": "ask:text",
}  # fmt: skip


def is_current(data: dict[str, Any] | None) -> bool:
    return bool(data) and isinstance(data.get("stack"), list) and bool(data["stack"])


def _frame(flow: str, step: str, data: dict | None = None, args: dict | None = None, then: str | None = None) -> dict:
    return {"flow": flow, "step": step, "data": data or {}, "args": args or {}, "then": then}


def _kind(step: str, data: dict[str, Any]) -> str | None:
    """Which old detour a step belongs to; None for a main-flow step."""
    if step.startswith("meet_"):
        return "meet"
    if step.startswith("report_"):
        return "report"
    if step in ("ev_needs", "ev_interpreter"):
        return "needs"
    if step.startswith(("ev_", "bc_")):
        return "form"
    if step in ("vet_reason", "vet_question"):
        return "vet"
    if step == "info_answer":
        return "info"
    if step.startswith("guest_"):
        return "guest"
    if step == "language" and data.get("after_language") == "guest_name":
        return "guest"
    if step in BROWSE_STEPS or step.startswith("filter:"):
        return "browse"
    if step == "profile" or (step.startswith("ask:") and data.get("mode") == "profile"):
        return "profile"
    if step in ("relay", "survey", "end_reason", "decline_reason", "coord_write", "delete"):
        return step
    return None


def _build(kind: str, step: str, data: dict[str, Any]) -> tuple[dict, str]:
    """The frame for one old detour, taking its keys out of `data`, and the step it returned to."""
    back = data.pop(RETURNS.get(kind, ""), None) or "idle"
    if kind == "meet":
        return _frame("meet", step, data.pop("meet", None) or {}), back
    if kind == "report":
        return _frame("report", step, data.pop("report", None) or {}), back
    if kind == "relay":
        return _frame("relay", step, args={"m": data.pop("relay", 0)}), back
    if kind == "survey":
        state = {"pick": data.pop("survey_pick", None) or []}
        return _frame("survey", step, state, {"response": data.pop("survey", 0)}), back
    if kind == "needs":
        return _frame("needs", step, data.pop("needs", None) or {}), back
    if kind == "end_reason":
        args = {"set": "end", "q": "Why does the mentorship end early?", "m": data.pop("ending", 0)}
        return _frame("reason", "reason", args=args, then="end_early"), back
    if kind == "decline_reason":
        args = {"set": "decline", "q": "Why can you not take her? She will see the reason.",
                "request": data.pop("declining", 0)}  # fmt: skip
        return _frame("reason", "reason", args=args, then="decline"), back
    if kind == "vet":
        return _frame("vet", step, args={"mentor": data.pop("vet", 0)}), back
    if kind == "info":
        return _frame("info", step), back
    if kind == "coord_write":
        return _frame("coord_write", step, args={"m": data.pop("coord_write", 0)}), back
    if kind == "delete":
        args = {"q": "Do you want to delete your profile and everything you told me? This cannot be undone.",
                "yes": "Yes, delete everything", "no": "No, keep my data"}  # fmt: skip
        return _frame("confirm", "confirm", args=args, then="delete"), back
    if kind == "guest":
        data.pop("after_language", None)
        # A guest who never picked a language waits at the beginning underneath; the join offer moves her on.
        back = data.pop("guest_return", None) or "language"
        return _frame("guest", step, args={"event": data.pop("guest_event", 0)}, then="guest_joined"), back
    if kind == "form":
        form = data.pop("form", None) or {}
        key = form.get("key") or ("event" if step.startswith("ev_") else "broadcast")
        flow = "event_form" if step.startswith("ev_") else "broadcast_form"
        draft = data.pop(key, None) or {}
        state = {"draft": draft, "return_to": "ev_edit"} if "id" in draft else {"draft": draft}
        return _frame(flow, FORM_STEPS.get(step, step), state), form.get("back") or "idle"
    if kind == "browse":
        state = {k: data.pop(k) for k in ("browse", "asking", "filters_edit") if k in data}
        return _frame("browse", step, state), "idle"
    # profile
    data.pop("mode", None)
    state = {"draft": data.pop("draft", None) or {}, "return_to": "profile"}
    if "picking" in data:
        state["picking"] = data.pop("picking")
    return _frame("profile", step, state), "idle"


def upgrade(step: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """The stack-shaped `data` for an old row at `step`; a row already in the new shape comes back unchanged."""
    if is_current(data):
        return copy.deepcopy(data)  # type: ignore[arg-type]
    rest = copy.deepcopy(data or {})
    detours: list[dict] = []
    seen: set[str] = set()
    current = step or "language"
    while (kind := _kind(current, rest)) is not None and kind not in seen and len(detours) < 8:
        seen.add(kind)
        found, current = _build(kind, current, rest)
        detours.append(found)
    if kind is not None or not (current in MAIN_STEPS or current.startswith("ask:")):
        current = "language" if rest.get("mode") == "onboarding" or "draft" in rest else "idle"
    root_state = {k: rest.pop(k) for k in ("draft", "picking") if k in rest}
    if rest.pop("editing", False):
        root_state["return_to"] = "summary"  # an answer changed from the summary card goes back to it
    rest.pop("mode", None)
    for stale_key in (*ABANDONED, *RETURNS.values()):  # drafts and ways back of detours she had left
        rest.pop(stale_key, None)
    rest["stack"] = [_frame("main", current, root_state), *reversed(detours)]
    return rest
