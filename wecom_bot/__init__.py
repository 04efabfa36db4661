"""WeCom adapter: callback gateway, async API client, chat conversation and the sandbox."""
