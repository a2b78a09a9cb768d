"""The operator's side: question log stores, pins, report, shared state, ops commands. Floor 8."""
