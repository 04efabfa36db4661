"""Offers: shaping in chat, WeCom approval, the candidate's answer, payroll data alerts, EHR."""
