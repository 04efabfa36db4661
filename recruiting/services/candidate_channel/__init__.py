"""The candidate channel (微信客服, external contact, the mini-app inbox): routes per candidate,
answers, typed text, forwarding to HR.
"""
