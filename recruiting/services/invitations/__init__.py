"""Invitations to a booked interview: sending, the candidate's answer, reschedule and withdrawal,
and what they say.
"""
