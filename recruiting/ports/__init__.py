"""Ports: the Protocols through which use cases reach every outside system.

Each has a real adapter (wired in ``recruiting.bootstrap``) and a fake for unit tests.
"""
