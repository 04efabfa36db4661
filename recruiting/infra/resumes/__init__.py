"""Résumé files → text lines → facts: one module per format, ``FileResumeReader`` in front."""
