"""我能享受什么: a family's situation in, every benefit of its plan that may apply out (docs/eligibility.md)."""
