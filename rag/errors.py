"""User-facing errors: each carries one sentence that tells the user what to do."""


class RagError(Exception):
    """An error a user can act on; interfaces print it without a traceback."""


class IndexProblem(RagError):
    """The index is missing, stale, mismatched or damaged."""


class InputError(RagError):
    """The question (or another user input) is not acceptable."""
