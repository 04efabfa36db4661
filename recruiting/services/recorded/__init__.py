"""The recorded interview: links, consents, device check, uploads, analysis, results, review-ready
notices.
"""
