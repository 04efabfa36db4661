"""EHR port implementations and the durable outbox relay toward the EHR. Home for issue #6."""
