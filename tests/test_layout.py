"""The service's shape: its folders are layers, imports point one way, the README names it all."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from comments_api import config
from plugins.comments import settings
from tests.helpers import ROOT

PACKAGE = ROOT / "comments_api"
# Lowest first: a module may import from its own package or from packages on an earlier line.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"field_messages"}),
    frozenset({"config", "errors", "schemas", "security"}),
    frozenset({"db"}),
    frozenset({"screening"}),
    frozenset({"content"}),
    frozenset({"mail"}),
    frozenset({"moderation"}),
    frozenset({"comments", "privacy"}),
    frozenset({"auth"}),
    frozenset({"web"}),
    frozenset({"background"}),
    frozenset({"app"}),
    frozenset({"cli"}),
    frozenset({"__init__", "__main__"}),
)


def module_files() -> list[Path]:
    """Every Python module of the service except the migration scripts."""
    versions = PACKAGE / "db" / "migrations" / "versions"
    return sorted(path for path in PACKAGE.rglob("*.py") if versions not in path.parents)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(module, imported inside a function) for each import of one of the service's modules."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, bool]] = []
    nested = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found += [(name, id(node) in nested) for name in names if name in known]
    return found


def import_graph() -> dict[str, list[tuple[str, bool]]]:
    known = {module_name(path) for path in module_files()}
    return {module_name(path): imported_modules(path, known) for path in module_files()}


def layer_of(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS in {__file__}")


def test_every_import_points_down_the_layers_even_inside_functions() -> None:
    upward = [
        f"{importer} imports {imported}" + (" inside a function" if inner else "")
        for importer, imports in import_graph().items()
        for imported, inner in imports
        if imported.split(".")[:2] != importer.split(".")[:2]
        and layer_of(imported) >= layer_of(importer)
    ]
    assert upward == []


def test_no_module_imports_itself_through_others() -> None:
    graph = {module: {name for name, _ in imports} for module, imports in import_graph().items()}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    # A package's __init__ re-exporting its own modules is not a cycle between concerns.
    real = [cycle for cycle in cycles if not all(cycle[0].startswith(m) for m in cycle)]
    assert real == []


def packages_loaded_by(code: str) -> set[str]:
    """The top-level packages in `sys.modules` after running `code` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def test_the_pure_screening_loads_neither_fastapi_nor_sqlalchemy() -> None:
    loaded = packages_loaded_by("import comments_api.screening")
    assert "comments_api" in loaded
    assert loaded & {"fastapi", "starlette", "sqlalchemy", "pydantic"} == set()


def test_the_openid_client_loads_only_when_a_provider_is_configured(tmp_path: Path) -> None:
    """Authlib, joserfc and cryptography cost a worker about 250 ms and several MB at start."""
    loaded = packages_loaded_by(
        "from comments_api.app import create_app\n"
        "from comments_api.config import Settings\n"
        f"create_app(Settings(database_url='sqlite:///{tmp_path}/c.sqlite3'))"
    )
    assert "fastapi" in loaded
    assert loaded & {"authlib", "joserfc", "cryptography", "httpx2"} == set()


DOMAIN = ("content", "moderation", "comments", "privacy")


def test_domain_code_raises_domain_errors_and_speaks_no_http() -> None:
    """Refusals with an HTTP status, and the web frameworks, stay in web/ (and, for now, auth/)."""
    speaking_http = []
    for path in module_files():
        if path.relative_to(PACKAGE).parts[0] not in DOMAIN:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            speaking_http += [
                f"{module_name(path)} imports {name}"
                for name in names
                if name.split(".")[0] in {"fastapi", "starlette"}
                or name == "comments_api.errors.ApiError"
            ]
    assert speaking_http == []


QUERY_CONSTRUCTS = {"select", "insert", "update", "delete", "text", "func", "and_", "or_"}
# Outside db/, SQLAlchemy is only a name for what db/ hands out (an engine, a session) and, for
# the web layer, the database errors it answers with 503.
HANDLES = {"sqlalchemy.Engine", "sqlalchemy.orm.Session"}
DATABASE_ERRORS = {"sqlalchemy.exc.DBAPIError", "sqlalchemy.exc.TimeoutError"}
# Running a statement or opening a transaction or a connection: db/ does that, nothing else.
RUNNING_SQL = {"execute", "scalar", "scalars", "begin_nested", "connect"}
DATABASE_OBJECTS = ("engine", "session", "connection", "writer")


def test_only_db_builds_queries() -> None:
    """No module outside db/ imports SQLAlchemy's query constructs."""
    found: dict[str, set[str]] = {}
    for path in module_files():
        if path.relative_to(PACKAGE).parts[0] == "db":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                names = {alias.name for alias in node.names} & QUERY_CONSTRUCTS
            elif isinstance(node, ast.Import):
                names = {alias.name for alias in node.names if alias.name.startswith("sqlalchemy")}
            else:
                continue
            if names:
                found.setdefault(module_name(path), set()).update(names)
    assert found == {}


def test_only_db_runs_sql_or_opens_transactions() -> None:
    """Outside db/: no statement run, no session or transaction opened, SQLAlchemy as names."""
    found: list[str] = []
    for path in module_files():
        if path.relative_to(PACKAGE).parts[0] == "db":
            continue
        allowed = HANDLES | (
            DATABASE_ERRORS if path.relative_to(PACKAGE).parts[0] == "web" else set()
        )
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{module_name(path)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                found += [
                    f"{where} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if f"{node.module}.{alias.name}" not in allowed
                ]
            elif isinstance(node, ast.Call):
                called = node.func
                if isinstance(called, ast.Attribute) and (
                    called.attr in RUNNING_SQL
                    or (
                        called.attr == "begin"
                        and any(name in ast.unparse(called.value) for name in DATABASE_OBJECTS)
                    )
                ):
                    found.append(f"{where} calls .{called.attr}()")
                elif isinstance(called, ast.Name) and called.id == "Session":
                    found.append(f"{where} opens a Session")
    assert found == []


def environment_imports() -> str:
    """What Alembic's env.py imports of the service, and how it names the metadata."""
    source = (PACKAGE / "db" / "migrations" / "env.py").read_text()
    statements = [
        ast.get_source_segment(source, node)
        for node in ast.parse(source).body
        if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("comments_api"))
        or (
            isinstance(node, ast.Assign)
            and any(getattr(target, "id", "") == "target_metadata" for target in node.targets)
        )
    ]
    return "\n".join(statement for statement in statements if statement)


def test_the_migrations_build_every_table_and_alembic_sees_them_all(database_url: str) -> None:
    """In a fresh process that imports only what env.py imports: no table missing, no diff."""
    probe = f"""
import json
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
{environment_imports()}
from comments_api.db.engine import create_database_engine, migrate
engine = create_database_engine({database_url!r}, 1)
migrate(engine)
with engine.connect() as connection:
    context = MigrationContext.configure(connection, opts={{"compare_type": True}})
    changes = compare_metadata(context, target_metadata)
engine.dispose()
tables = sorted(target_metadata.tables)
print(json.dumps({{"tables": tables, "changes": [str(change) for change in changes]}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seen = json.loads(result.stdout.splitlines()[-1])
    declared: set[str] = set()
    declaring: set[str] = set()
    for path in module_files():
        tables = set(re.findall(r'__tablename__ = "(\w+)"', path.read_text()))
        declared |= tables
        declaring |= {module_name(path)} if tables else set()
    # One module holds them all, so that env.py sees every table without relying on imports
    # elsewhere having registered them first.
    assert declaring == {"comments_api.db.tables"}
    assert "from comments_api.db.tables import Base" in environment_imports()
    assert len(declared) >= 15
    assert set(seen["tables"]) == declared
    assert seen["changes"] == []


def readme_layout_paths() -> set[str]:
    """Paths under comments_api/ named in the README's Layout block, from the indentation."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    paths: set[str] = set()
    folders: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        while folders and folders[-1][0] >= indent:
            folders.pop()
        if indent == 0 and name != "comments_api/":
            folders = []
            continue
        if indent == 0 or folders:
            prefix = "".join(folder for _, folder in folders)
            for item in name.split(","):
                if item:
                    paths.add(prefix + item)
            if name.endswith("/"):
                folders.append((indent, name))
    return paths


def test_the_readme_layout_names_every_module_of_the_service() -> None:
    named = readme_layout_paths()
    modules = {
        str(path.relative_to(ROOT))
        for path in module_files()
        if path.name != "__init__.py" and "migrations" not in path.parts
    }
    assert sorted(modules - named) == [], "add these to the README's Layout section"
    stale = sorted(path for path in named if path.endswith(".py") and path not in modules)
    assert stale == [], "the README's Layout section names modules that do not exist"


def test_the_built_package_ships_the_templates_migrations_and_icon(tmp_path: Path) -> None:
    """What pyproject's package-data ships is what the service opens at run time."""
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py"]
        + ["--build-lib", str(tmp_path / "lib")],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    built = tmp_path / "lib" / "comments_api"
    wanted = [
        path.relative_to(PACKAGE)
        for folder in ("web/templates", "web/static", "db/migrations")
        for path in (PACKAGE / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    wanted.append(Path("field_messages.json"))
    assert len(wanted) > 20
    assert [path for path in wanted if not (built / path).is_file()] == []


def test_each_field_message_is_written_once() -> None:
    """The service, its pages, the plugin's form and the widget all read field_messages.json."""
    table = json.loads((PACKAGE / "field_messages.json").read_text())
    messages = [*table["messages"].values(), *table["missing"].values()]
    sources = [
        path
        for folder in ("comments_api", "plugins", "theme")
        for pattern in ("*.py", "*.html", "*.js", "*.json")
        for path in (ROOT / folder).rglob(pattern)
        if path.name != "field_messages.json" and "__pycache__" not in path.parts
    ]
    assert len(sources) > 100
    copies = [
        f"{path.relative_to(ROOT)}: {message}"
        for path in sources
        for message in messages
        if message in path.read_text(encoding="utf-8")
    ]
    assert copies == []


def test_the_site_and_the_service_agree_on_the_development_addresses() -> None:
    """Each side of the wall keeps them once; the site's tools and the service's defaults match."""
    names = ("HOST", "SITE_PORT", "API_PORT", "SITE_URL", "API_URL")
    site = {name: getattr(settings, f"DEVELOPMENT_{name}") for name in names}
    service = {name: getattr(config, f"DEVELOPMENT_{name}") for name in names}
    assert site == service
    assert config.Settings().site_url == site["SITE_URL"]
    assert settings.DEFAULTS["COMMENTS_API_URL"] == site["API_URL"]
