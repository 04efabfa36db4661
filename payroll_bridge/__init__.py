"""Salary, tax and social-insurance calculation, and the hand-off of new hires to payroll.

``offer`` → ``estimate.estimate_year`` (``contributions`` per city from ``data/cities``,
``withholding`` by the cumulative method, ``year_end_bonus`` taxed both ways) → a year of
payslips in ``Decimal``; ``port`` hands a new hire to payroll through ``adapters``.
"""
