"""Staff follow WeCom's directory: WeCom's ``change_contact`` callback is the signal.

A member deleted, disabled, not activated or gone (status 2, 4, 5) loses access at once: the
staff row is deactivated and every open session revoked in one transaction, audited. Renames
(``NewUserID``), department moves and new positions update the row. A member WeCom marks
active again is *not* given access back here: re-granting is a deliberate act of HR (their
roles stay on the row), so a stray or replayed callback can never restore a departed account.
"""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.inbound import ContactChange, Inbound
from recruiting.models import (
    AppSession,
    CandidateContact,
    InterviewInvitation,
    Offer,
    RecordingLink,
    Staff,
)
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)

WECOM = Actor("wecom")
# WeCom member status (path/90970) → why the member may no longer act here.
INACTIVE_STATUS = {2: "disabled", 4: "not activated", 5: "quit"}


async def revoke_sessions(staff: Staff) -> int:
    """End every open session of this staff member; how many were open."""
    return await AppSession.filter(staff_id=staff.id, revoked_at=None).update(revoked_at=now())


class StaffDirectory:
    async def on_contact_change(self, event: Inbound) -> list[OutboundDraft]:
        if not isinstance(event, ContactChange) or not event.user_id:
            return []
        if event.change_type not in ("update_user", "delete_user"):
            return []  # create_user: staff are registered by HR, not by joining the corp
        async with in_transaction():
            staff = await Staff.select_for_update().get_or_none(wecom_userid=event.user_id)
            if staff is None:
                return []  # a member who is not staff
            if event.change_type == "delete_user":
                await self._deactivate(staff, "wecom delete_user")
            elif event.status in INACTIVE_STATUS:
                await self._deactivate(
                    staff, f"wecom status {event.status} ({INACTIVE_STATUS[event.status]})"
                )
            elif event.status == 1 and not staff.active:
                log.info("staff %s is active in WeCom again; access stays off until HR "
                         "re-enables it", staff.id)  # fmt: skip
            if event.change_type == "update_user":
                await self._update(staff, event)
        return []

    async def _deactivate(self, staff: Staff, reason: str) -> None:
        was_active = staff.active
        if was_active:
            staff.active = False
            await staff.save(update_fields=["active"])
        revoked = await revoke_sessions(staff)
        if was_active or revoked:
            await record(WECOM, "staff_deactivated", "staff", staff.wecom_userid, allowed=True,
                         detail=f"{reason}; {revoked} session(s) revoked")  # fmt: skip

    async def _update(self, staff: Staff, event: ContactChange) -> None:
        changes: list[str] = []
        new_id = event.new_user_id
        if new_id and new_id != staff.wecom_userid:
            if len(new_id) > 64 or await Staff.exists(wecom_userid=new_id):
                await record(WECOM, "staff_renamed", "staff", staff.wecom_userid, allowed=False,
                             detail=f"to {new_id[:64]}: taken or too long")  # fmt: skip
            else:
                changes.append(f"userid {staff.wecom_userid} -> {new_id}")
                await _follow_rename(staff.wecom_userid, new_id)
                staff.wecom_userid = new_id
        moved, before = list(event.department_ids), list(staff.department_ids or [])
        if moved and moved != before:
            changes.append(f"department_ids {before} -> {moved}")
            staff.department_ids = moved
        if event.position and event.position[:64] != staff.title:
            changes.append("title")
            staff.title = event.position[:64]
        if event.name and event.name[:64] != staff.name:
            changes.append("name")
            staff.name = event.name[:64]
        if changes:
            await staff.save()
            await record(WECOM, "staff_updated", "staff", staff.wecom_userid, allowed=True,
                         detail="; ".join(changes))  # fmt: skip


async def _follow_rename(old: str, new: str) -> None:
    """Rows that name the member by userid keep pointing at them (who booked, who made the
    offer, whose WeChat the candidate added), so her replies still reach her own HR."""
    await InterviewInvitation.filter(hr_userid=old).update(hr_userid=new)
    await CandidateContact.filter(recruiter_userid=old).update(recruiter_userid=new)
    await Offer.filter(created_by=old).update(created_by=new)
    await RecordingLink.filter(created_by=old).update(created_by=new)
