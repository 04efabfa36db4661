"""One ``wire_<capability>()`` per package under ``recruiting/services/``: each takes the
shared objects (built once in ``wire_shared``) and the capabilities it needs, and returns a
small frozen dataclass, so the composition root reads as the list of capabilities."""
