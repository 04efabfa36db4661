"""A staff member's text in the app chat, as the gateway hands it to the use cases: shared by
the conversation and offer tests, which call the use cases without the inbox."""

from __future__ import annotations

from recruiting.domain.inbound import TextMessage


def said(user: str, text: str) -> TextMessage:
    return TextMessage(
        kind="text",
        from_user=user,
        to_user="c",
        agent_id="1",
        create_time=1,
        msg_type="text",
        event="",
        dedup_key="msg:1",
        content=text,
        msg_id="1",
    )
