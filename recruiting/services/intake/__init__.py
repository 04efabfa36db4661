"""Candidates in: by hand, spreadsheet, résumé files and the EHR; duplicates and merging."""
