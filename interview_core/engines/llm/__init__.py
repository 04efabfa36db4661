"""The LLM engine: an OpenAI-compatible chat endpoint (vLLM, Ollama, Qwen, DeepSeek, GLM)
scores the answer; the code checks every quote and falls back to the rules on any failure."""
