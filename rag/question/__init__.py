"""The question record and what builds it: lexicon, places, regions, guard, validation. Floor 2."""
