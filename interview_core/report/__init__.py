"""Per-interview reports: HTML with evidence, radar chart PNG, candidate explanation."""
