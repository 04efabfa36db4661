"""Openings, their competency model and interview rounds, and the question bank: what HR
sets up before inviting anyone (the workbench's 岗位 pages call these use cases)."""
