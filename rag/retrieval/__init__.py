"""Region-filtered hybrid retrieval over a loaded index. Floor 5."""
