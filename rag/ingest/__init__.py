"""Seeds -> clauses, one way: documents.toml + files -> Document (readers/) -> clean -> layouts -> chunker."""
