"""A staff member's text in the app chat, as the gateway hands it to the use cases: shared by
the conversation and offer tests, which call the use cases without the inbox."""

from __future__ import annotations

from recruiting.domain.inbound import TextMessage


def said(user: str, text: str, msg_id: str = "1") -> TextMessage:
    return TextMessage(
        kind="text",
        from_user=user,
        to_user="c",
        agent_id="1",
        create_time=1,
        msg_type="text",
        event="",
        dedup_key=f"msg:{msg_id}",
        content=text,
        msg_id=msg_id,
    )
