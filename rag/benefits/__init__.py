"""The cross-region benefits table and its views. Floor 3."""
