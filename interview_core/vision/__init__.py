"""Vision signals from OpenCV Haar cascades: presence, framing, quality, integrity flags.

Never emotion, confidence or personality: these signals are feedback and integrity flags
only and never feed a competency score.
"""
