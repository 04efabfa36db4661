"""Résumé files → text lines → facts: one module per format, ``reader.FileResumeReader`` in front."""
