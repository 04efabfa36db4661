"""Recruiting domain: entities, rules, use cases, ports and the composition root.

Nothing in this package imports an adapter package; ``recruiting.bootstrap`` is the one
place that knows them all.
"""
