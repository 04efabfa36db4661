"""Answer scorers: the engines behind one port (``port.AnswerScorer``).

``rules`` is the deterministic, offline default; ``llm`` asks an OpenAI-compatible chat
endpoint and checks every quote it returns against the transcript, falling back to the rules
when the endpoint fails. ``choose`` builds the configured one.
"""
