"""Callbacks in (inbox, gateway, the handler of each event kind) and effects out (the outbox
relay with one sender per channel) (``services.messaging``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.domain.inbound import Inbound
from recruiting.ports.outbound import Channel, OutboundSender
from recruiting.services.messaging.callbacks import CallbackProcessor, Handler
from recruiting.services.messaging.card_routes import CardClicks, card_routes
from recruiting.services.messaging.conversation import Conversation
from recruiting.services.messaging.inbox import CallbackInbox
from recruiting.services.messaging.outbox import DeadLetters, OutboxRelay
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.scheduling.reminders import gate_reminders
from recruiting.services.shared.staff_directory import StaffDirectory
from recruiting.wiring.after_interview import AfterInterview
from recruiting.wiring.candidate_channel import CandidateChannel
from recruiting.wiring.intake import Intake
from recruiting.wiring.invitations import Invitations
from recruiting.wiring.live import Live
from recruiting.wiring.offers import OffersWiring
from recruiting.wiring.screening import ScreeningWiring
from recruiting.wiring.shared import Shared
from wecom_bot.candidate_channel import CandidateChannelSender, KfSync
from wecom_bot.crypto import WeComCrypto
from wecom_bot.events import parse_event
from wecom_bot.gateway import CallbackGateway
from wecom_bot.outbound import WeComMessageSender
from wecom_bot.schedule_sender import WeComMeetingSender, WeComScheduleSender
from wecom_bot.staff_card_sender import StaffCardSender
from wecom_bot.xmlcodec import parse as parse_xml


@dataclass(frozen=True)
class Messaging:
    inbox: CallbackInbox
    gateway: CallbackGateway
    processor: CallbackProcessor
    relay: OutboxRelay


def decode_event(plaintext: bytes) -> Inbound:
    """The inbox stores the decrypted XML; workers turn it back into a typed event."""
    return parse_event(parse_xml(plaintext))


def wire_messaging(
    shared: Shared,
    *,
    live: Live,
    after: AfterInterview,
    offers: OffersWiring,
    invitations: Invitations,
    candidates: CandidateChannel,
    intake: Intake,
    screening: ScreeningWiring,
    data_requests: DataRequests | None = None,
) -> Messaging:
    settings, wecom = shared.settings, shared.wecom
    inbox = CallbackInbox(
        shared.kv,
        shared.queue,
        shared.cipher,
        dedup_ttl=settings.wecom.dedup_ttl,
        lease_seconds=settings.inbox.lease_seconds,
        max_attempts=settings.inbox.max_attempts,
    )
    crypto = WeComCrypto(
        settings.wecom.token, settings.wecom.encoding_aes_key, settings.wecom.corp_id
    )
    dead_letters = DeadLetters(shared.queue)
    conversation = Conversation(
        settings.timezone,
        live.interviews,
        first=[after.survey_summaries, invitations.chat, screening.chat],
        after_live=[offers.offers],
    )
    answers = candidates.answers
    handlers: dict[str, Handler] = {
        "text": conversation.on_text,
        "voice": live.interviews.on_voice,
        "card_click": CardClicks(  # the table of button keys: services.messaging.card_routes
            card_routes(
                dead_letters=dead_letters,
                live=live.interviews,
                surveys=after.surveys,
                summaries=after.summaries,
                offers=offers.offers,
                schedule_chat=invitations.chat,
                intake=intake.cards,
                screening_chat=screening.chat,
                data_requests=data_requests,
            )
        ),
        "approval": offers.approvals.on_approval,
        "kf": KfSync(wecom.kf, answers).on_event,  # candidates writing to 微信客服
        "external_contact": answers.on_external_contact,  # contact_way state binds
        "contact": StaffDirectory().on_contact_change,  # members deleted, disabled, moved
    }
    senders: dict[str, OutboundSender] = {
        Channel.WECOM_MESSAGE: StaffCardSender(
            WeComMessageSender(wecom.message, settings.wecom.agent_id), wecom.message
        ),
        Channel.CANDIDATE: CandidateChannelSender(wecom.kf, wecom.externalcontact, shared.queue),
        Channel.WECOM_SCHEDULE: WeComScheduleSender(
            wecom.schedule, settings.wecom.schedule_calendar_id
        ),
        Channel.WECOM_MEETING: WeComMeetingSender(wecom.meeting),
        Channel.EHR: offers.ehr.sender,
        Channel.WECOM_APPROVAL: offers.approval_sender,
        Channel.PAYROLL: offers.payroll_sender,
    }
    relay = OutboxRelay(
        gate_reminders(senders),
        lease_seconds=settings.inbox.lease_seconds,
        max_attempts=settings.inbox.max_attempts,
        queue=shared.queue,
        channel_policies={Channel.EHR: offers.ehr.policy},
        dead_letters=dead_letters,
    )
    return Messaging(
        inbox=inbox,
        gateway=CallbackGateway(crypto, inbox, max_age=settings.wecom.callback_max_age),
        processor=CallbackProcessor(inbox, decode_event, handlers),
        relay=relay,
    )
