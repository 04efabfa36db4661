"""Media decoding with PyAV: probing, streaming audio as 16 kHz mono, sampling video frames."""
