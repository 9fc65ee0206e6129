"""Coordinator actions noted in the step's transaction, so the audit log holds exactly what was done."""

from __future__ import annotations

from conversations.kernel.flow import Context
from conversations.kernel.i18n import N_
from storage import audit

ACTIONS = {
    "approve": N_("approved a mentor"),
    "reject": N_("did not approve a mentor"),
    "approve_changes": N_("approved a mentor's profile changes"),
    "reject_changes": N_("did not approve a mentor's profile changes"),
    "cancel_mentorship": N_("cancelled a mentorship"),
    "export_csv": N_("downloaded the CSV for evaluators"),
    "broadcast": N_("sent a broadcast"),
    "publish_event": N_("published an event"),
    "edit_event": N_("changed an event"),
    "cancel_event": N_("cancelled an event"),
    "pause_mentor": N_("paused a mentor's profile"),
    "deactivate_mentor": N_("deactivated a mentor's profile"),
    "activate_mentor": N_("activated a mentor's profile again"),
    "rename_company": N_("renamed a partner company"),
    "merge_company": N_("merged two partner companies"),
    "retire_company": N_("retired a partner company"),
    "invite_coordinator": N_("made an invitation link for a coordinator"),
    "join_coordinator": N_("became a coordinator through an invitation"),
    "remove_coordinator": N_("removed a coordinator's role"),
}


def log(ctx: Context, action: str, subject: str | None = None) -> None:
    assert action in ACTIONS, action
    audit.record(ctx.session, ctx.user.id, action, subject, ctx.now)
