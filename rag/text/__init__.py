"""Pure text functions: normalisation, tokens, sentence splitting, readings. Floor 1."""
