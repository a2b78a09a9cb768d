"""The on-disk index: layout, build, load, cache, faults, freshness, vectors, keyword. Floor 4."""
