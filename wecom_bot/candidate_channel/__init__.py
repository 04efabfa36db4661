"""The candidate channel over WeCom: 微信客服 while its reply window is open, the
recruiter's external-contact route (a group send the recruiter confirms), and always the
mini-app inbox. See ``recruiting.ports.candidate_channel`` for the contract."""

from wecom_bot.candidate_channel.kf_sync import KfSync
from wecom_bot.candidate_channel.sender import CandidateChannelSender

__all__ = ["CandidateChannelSender", "KfSync"]
