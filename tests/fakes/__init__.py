"""Test doubles shared by more than one test module, each standing in for one port or one
outside system so the code around it runs for real. A fake used by a single module, or one
with behaviour for a single test, stays in that module.

Each module ends with a ``TYPE_CHECKING`` block assigning its fakes to their ports, so
``mypy tests/fakes`` fails when a port changes and a fake no longer fits it.

``analysis.FakeAnalysis``
    ``MediaAnalysis`` (recruiting.ports.analysis): the recorded-answer analysis core.
``catalog.FakeCatalog``
    ``CompetencyCatalog`` (recruiting.ports.competency_catalog): competencies and jobs.
``live.FakePrompts``, ``live.FakeVoice``, ``live.FakeSpeech``
    ``LivePrompts`` (recruiting.ports.live_prompts), ``VoiceSource`` and ``SpeechToText``
    (recruiting.ports.voice_notes) for live interviews; ``live.live_world`` books a panel
    interview wired with them.
``llm.FakeLlm``
    Not a port: a real OpenAI-compatible HTTP endpoint on 127.0.0.1 that the LLM scorer
    (interview_core.engines.llm) calls, answering scripted replies.
``outbound.RecordingSender``
    ``OutboundSender`` (recruiting.ports.outbound): a channel the outbox relay delivers to.
``payroll.FakePackages``
    ``PayrollPackages`` (recruiting.ports.payroll): packages, estimates, city data gaps.
``sandbox.FakeClock``, ``sandbox.Receiver``
    For the WeCom sandbox (wecom_bot.sandbox): its ``Clock``, and our service's callback
    endpoint as an ``httpx.MockTransport``.
``wecom.FakeWeCom``
    Not a port: WeCom's server API behind an ``httpx.MockTransport``, for the WeCom client
    (wecom_bot.client) and the service's gateway.
"""
