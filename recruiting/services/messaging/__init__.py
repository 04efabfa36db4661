"""Conversations with the outside: the durable inbox of callbacks, the outbox relay and its effects
unit, per-conversation ordering, routing of card clicks and candidates' answers, the bot's chat
replies.
"""
