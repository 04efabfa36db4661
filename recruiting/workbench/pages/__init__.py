"""Workbench page modules: one per area (``home``, ``openings``, ``candidates``, …), each
exposing a Sanic ``Blueprint`` named ``bp``; list it in ``recruiting.workbench.PAGES``."""
