"""Salary, tax and social-insurance calculation; interview cost accounting. Home for issue #6."""
