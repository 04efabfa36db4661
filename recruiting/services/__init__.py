"""Use cases: async services that entry points call, one concept per module."""
