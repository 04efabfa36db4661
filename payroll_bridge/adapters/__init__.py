"""Payroll port adapters: a CSV file, a generic REST API, and in-memory (tests, demo)."""
