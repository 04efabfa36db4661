"""Reading résumés: text → facts (``extract``) and the corpus evaluation (``evaluate``)."""
