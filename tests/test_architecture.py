"""The layers stay where the README says: Streamlit only in pages and ``ui``, SQL only in the query
and database layer, no colour written in code, and the slide writer never reads a Plotly figure."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "marketintel"
SQL = re.compile(r"\b(SELECT|INSERT|CREATE TABLE|CREATE VIEW|DELETE FROM|UPDATE \w+ SET)\b")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\b|rgba?\(")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else node.module)
    return names


def _strings(path: Path) -> list[str]:
    """Every string literal in the module except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_streamlit_only_in_pages_and_the_ui_layer():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in _modules()
        if "streamlit" in _imports(p) and "ui" not in p.relative_to(PACKAGE).parts[:-1]
    ]
    assert offenders == []


def test_sql_only_in_queries_and_db():
    allowed = {"queries.py", "db.py", "tables.py"}
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in _modules()
        if p.name not in allowed and any(SQL.search(s) for s in _strings(p))
    ]
    offenders += [
        p.relative_to(ROOT).as_posix()
        for p in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
        if any(SQL.search(s) for s in _strings(p))
    ]
    assert offenders == []


def test_no_colour_is_written_in_code():
    offenders = {p.relative_to(ROOT).as_posix(): [s for s in _strings(p) if COLOUR.search(s)] for p in _modules()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_slide_writer_never_reads_a_plotly_figure():
    imports = _imports(PACKAGE / "render_pptx.py")
    assert "plotly" not in imports
    assert "figure_panels" not in (PACKAGE / "export.py").read_text(encoding="utf-8")


def test_every_package_module_opens_with_a_line_saying_what_it_is_for():
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in _modules()
        if not (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert missing == []


def test_the_checks_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""x"""\nimport streamlit\nQ = "SELECT 1"\nC = "#12AB34"\n', encoding="utf-8")
    assert "streamlit" in _imports(bad)
    assert any(SQL.search(s) for s in _strings(bad)) and any(COLOUR.search(s) for s in _strings(bad))


def test_every_ui_string_goes_through_a_name_the_extractor_sees():
    """``i18n.text(lang)("...")`` is translated at run time but never extracted into the catalogue."""
    pattern = re.compile(r"text\([^()]*\)\(\s*[\"']")
    offenders = [
        f"{p.relative_to(ROOT).as_posix()}:{i}"
        for p in [*_modules(), ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
    assert pattern.search('return i18n.text(lang)("period not stated")')
