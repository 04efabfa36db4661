"""Résumé screening against an opening's requirements: the ranking, the chat card and
what the candidate page shows."""
