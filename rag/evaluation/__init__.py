"""`rag eval`: retrieval and answer quality of the assistant on a gold set (see eval/README.md)."""
