"""Chinese text analysis and competency scoring (jieba): STAR, evidence, follow-ups."""
