"""What every capability uses: access checks, audit, mini-app sessions, personal data, staff cards
and directory.
"""
