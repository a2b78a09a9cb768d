"""The house rules of docs/ARCHITECTURE.md, checked by reading the package's imports (AST, no import runs).

Floors only look down: a module imports from its own floor or lower, never higher; no two files import each other,
directly or in a loop, counting imports made inside functions. Imports of the package's own modules inside functions
are few and each says why on its line (`# lazy: …`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "rag"

# Longest prefix wins. The floor numbers are those of docs/ARCHITECTURE.md.
FLOORS = {
    "rag.errors": 1,
    "rag.config": 1,
    "rag.models": 1,
    "rag.messages": 1,
    "rag.version": 1,
    "rag.text": 1,
    "rag.data": 1,
    "rag.ingest": 2,
    "rag.embedders": 2,
    "rag.question": 2,
    "rag.benefits": 3,
    "rag.index": 4,
    "rag.retrieval": 5,
    "rag.answers": 6,
    "rag.eligibility": 6,
    "rag.assistant": 7,
    "rag.llm": 7,
    "rag.pipeline": 7,
    "rag.ops": 8,
    "rag.evaluation": 8,
    "rag.server": 9,
    "rag.cli": 9,
    "rag.langchain_retriever": 9,
    "rag": 9,
}
MAX_INNER_IMPORTS = 15
MAX_TOP_LEVEL_FILES = 12
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def floor(module: str) -> int:
    best = max((p for p in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return FLOORS[best]


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, ast.stmt, bool]]:
    """(imported module, import node, made inside a function) for each import of the package's own modules."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
    }
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = _base(module, path, node)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.append(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for target in targets:
            if target in MODULES and target != module:
                out.append((target, node, id(node) in inner))
    return out


EDGES = {m: imports_of(m) for m in MODULES}


def test_no_upward_import():
    upward = [
        f"{m} (floor {floor(m)}) imports {t} (floor {floor(t)}) at line {n.lineno}"
        for m, edges in EDGES.items()
        for t, n, _ in edges
        if floor(t) > floor(m)
    ]
    assert not upward, "\n".join(upward)


def _cycles() -> list[list[str]]:
    graph = {m: {t for t, _, _ in edges} for m, edges in EDGES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert _cycles() == []


def test_few_imports_inside_functions_each_with_its_reason():
    inner = [(m, n) for m, edges in EDGES.items() for _, n, is_inner in edges if is_inner]
    unique = {(m, n.lineno): n for m, n in inner}
    assert len(unique) <= MAX_INNER_IMPORTS, sorted(f"{m}:{line}" for m, line in unique)
    lines = {m: MODULES[m].read_text(encoding="utf-8").splitlines() for m, _ in unique}
    missing = [f"{m}:{line}" for (m, line) in unique if "# lazy:" not in lines[m][line - 1]]
    assert not missing, "each import inside a function says why on its line (# lazy: …): " + ", ".join(
        missing
    )


def test_top_level_stays_small():
    files = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(files) <= MAX_TOP_LEVEL_FILES, files


def test_no_long_function():
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{module}.{node.name}: {length} lines")
    assert not long, "\n".join(long)


def test_every_module_has_a_floor():
    assert all(floor(m) for m in MODULES)


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path):
    """The rules above could pass vacuously if the resolver saw no edges: check it sees known real ones."""
    assert any(t == "rag.models" for t, _, _ in EDGES["rag.assistant"])
    assert floor("rag.server.api") > floor("rag.answers.fact") > floor("rag.text.normalize")
