"""Live-interview scheduling: conflict-free slots, booking with its invitation, the chat command,
reminders.
"""
