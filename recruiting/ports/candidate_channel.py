"""Reaching a candidate, who is usually an external WeChat user, not a WeCom member.

Use cases never pick the route: they write an outbox row on ``Channel.CANDIDATE`` with the
recipient ``candidate_recipient(id)`` and a channel-neutral payload, and the sender
registered for the channel chooses how to reach that person (微信客服 while its 48 h /
5-message window is open, the recruiter's external-contact route — which the recruiter must
confirm in WeCom —, or the mini-app inbox). App messages (``message/send``) never reach
candidates.

Payload kinds (all carry ``content``, the text a person reads):

- ``{"kind": "text", "content": str}``
- ``{"kind": "choices", "content": str, "choices": [{"key": str, "label": str}],
  "subject": str}`` — clickable answers; ``subject`` (e.g. ``invite:12``) and the chosen
  key come back as one key, ``domain.routing.answer_key`` (``invite.confirm:12``), so the
  answer finds its cause (``services.messaging.answer_routes``).
- ``{"kind": "link", "content": str, "title": str, "path": str}`` — a mini-app page.

Optional keys any payload may carry:

- ``"bind": {"state": str, "recruiter": userid}`` — when the candidate has no WeChat route
  yet, the channel may offer a way to make one whose answer carries ``state`` back (the
  recruiter's contact way; ``add_external_contact`` echoes it);
- ``"meeting_for": interview_id`` — ``content`` holds ``{meeting_link}``, filled in from the
  interview once its meeting exists (the message waits a little for it);
- ``"device_check_path": str`` — the mini-app page that checks camera and microphone.

Every message is also kept in the candidate's mini-app inbox, whatever route carried it, so
the candidate can always read and answer it there.
"""

from __future__ import annotations


def candidate_recipient(candidate_id: int) -> str:
    """The outbox recipient of messages to one candidate (delivered in order)."""
    return f"candidate:{candidate_id}"
