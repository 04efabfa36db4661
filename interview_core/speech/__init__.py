"""Speech: voice activity, speech metrics, and recognition behind a port (PaddleSpeech)."""
