"""Reading résumés: the corpus evaluation (``evaluate``); text → facts is the domain's
(``recruiting.domain.resume_extract``)."""
