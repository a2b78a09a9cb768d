"""Cited Q&A over Chinese regional fertility-support plans."""

from .config import VERSION as __version__

__all__ = ["Assistant", "__version__"]


def __getattr__(name):
    # Lazy so that `import rag` (and the CLI's --help) stays fast: the assistant pulls in FAISS and jieba.
    if name == "Assistant":
        from . import assistant  # lazy: keeps `import rag` light; the assistant loads FAISS and jieba

        return assistant.Assistant
    raise AttributeError(name)
