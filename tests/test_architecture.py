"""The house rules, read from the code itself.

- Public APIs only: the project reads and writes no underscore attribute of another library's
  objects (Django's documented `_meta` aside) and imports no underscore name from one.
- Apps that layer: each app imports only the apps below it in APP_LAYERS, at the top of a
  module or inside a function alike, so no cycle between apps can hide."""

import ast
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The site's own apps, bottom floor first: an app may import those before it in this list.
APP_LAYERS = [
    "base",
    "pagecache",
    "locations",
    "clinical_review",
    "practitioners",
    "procedures",
    "forms",
    "search",
    "home",
]
# The project (settings, URLs) sits above every app; tests and the bench sit outside.
PROJECT_CODE = [*APP_LAYERS, "clinic_site"]
# Every library the site imports, and what they stand on.
LIBRARIES = [
    "django",
    "wagtail",
    "treebeard",
    "modelsearch",
    "modelcluster",
    "taggit",
    "wagtail_modeladmin",
    "captcha",
    "csp",
    "whitenoise",
    "storages",
    "botocore",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_redis",
    "redis",
    "psycopg",
    "dj_database_url",
    "gunicorn",
    "textstat",
    "asgiref",
]
# Django's model options, and the documented methods of Python's named tuples.
DOCUMENTED_PRIVATE = {"_meta", "_replace", "_asdict", "_fields", "_make"}
# Tests may use a private name only where no public way exists, each with its reason.
ALLOWED_IN_TESTS = {
    "_test_serialized_contents": "pytest-django's serialized rollback keeps the rows here; "
    "tests/conftest.py puts content types first so that they can be restored",
    "_str2int": "treebeard's path arithmetic, to build thousands of pages in bulk quickly "
    "(tests/conftest.py) where Wagtail's add_child takes a query each",
    "_get_path": "treebeard's path of the n-th child, for the same bulk creation",
}


def python_files(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def is_private(name):
    return name.startswith("_") and not name.startswith("__") and name not in DOCUMENTED_PRIVATE


def library_private_names():
    """Every underscore name that the libraries' own code uses: a name that the project also
    uses as an attribute is one of theirs (or shadows one, which is as fragile)."""
    names = set()
    pattern = re.compile(r"\b(_[A-Za-z]\w*)")
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for path in Path(folder).rglob("*.py"):
                names.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def private_uses(path, library_names):
    """(line, name) of each underscore attribute used on an object in `path` whose name a
    library uses, and each underscore name imported from a library."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            if node.attr in library_names:
                found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in LIBRARIES:
                found += [(node.lineno, a.name) for a in node.names if is_private(a.name)]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
            "getattr",
            "setattr",
            "hasattr",
        }:
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                name = node.args[1].value
                if isinstance(name, str) and is_private(name) and name in library_names:
                    found.append((node.lineno, name))
    return sorted(found)


@pytest.fixture(scope="module")
def library_names():
    return library_private_names()


def test_the_site_uses_no_private_name_of_another_library(library_names):
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in python_files(*PROJECT_CODE, "bench")
        for line, name in private_uses(path, library_names)
    ]
    assert offences == []


def test_tests_use_private_names_only_where_no_public_way_exists(library_names):
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in python_files("tests")
        for line, name in private_uses(path, library_names)
        if name not in ALLOWED_IN_TESTS
    ]
    assert offences == []


def test_the_check_finds_a_private_attribute_and_a_private_import(tmp_path, library_names):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from django.utils.regex_helper import _lazy_re_compile\n"
        "def f(request, queryset):\n"
        "    request._wagtail_site = None\n"
        "    return queryset._chain(), queryset.model._meta, getattr(queryset, '_result_cache')\n"
    )
    assert private_uses(sample, library_names) == [
        (1, "_lazy_re_compile"),
        (3, "_wagtail_site"),
        (4, "_chain"),
        (4, "_result_cache"),
    ]


def imported_apps(path):
    """(line, app) for every import of one of the site's apps in `path`, at the top level or
    inside a function; relative imports stay inside their own app."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            if top in APP_LAYERS:
                yield node.lineno, top, module


def app_of(path, root=ROOT):
    return path.relative_to(root).parts[0]


def upward_imports(paths, root=ROOT):
    floor = {app: number for number, app in enumerate(APP_LAYERS)}
    return [
        f"{path.relative_to(root)}:{line} imports {module} ({module.replace('.', '/')}.py "
        f"or its package), in {app}, an app above {app_of(path, root)}"
        for path in paths
        for line, app, module in imported_apps(path)
        if floor[app] > floor[app_of(path, root)]
    ]


def test_no_app_imports_an_app_above_it():
    """Which also means no cycle between apps: every import runs down the layers."""
    assert upward_imports(python_files(*APP_LAYERS)) == []


def test_the_check_finds_an_import_hidden_in_a_function(tmp_path):
    module = tmp_path / "procedures" / "sample.py"
    module.parent.mkdir()
    module.write_text(
        "from base.text import tel_href\n"
        "def context():\n"
        "    from home.models import HomePage\n"
        "    return HomePage, tel_href\n"
    )
    assert list(imported_apps(module)) == [(1, "base", "base.text"), (3, "home", "home.models")]
    assert upward_imports([module], root=tmp_path) == [
        "procedures/sample.py:3 imports home.models (home/models.py or its package), in home, "
        "an app above procedures"
    ]


def test_every_app_is_in_the_layers_and_installed(settings):
    apps_here = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {".venv", "clinic_site"}
    }
    assert apps_here == set(APP_LAYERS)
    assert set(APP_LAYERS) <= set(settings.INSTALLED_APPS)


def test_no_module_is_longer_than_500_lines():
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in python_files(*PROJECT_CODE, "bench")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert long == []


def test_migrations_are_linear_with_no_merge():
    for app in APP_LAYERS:
        folder = ROOT / app / "migrations"
        if not folder.exists():
            continue
        numbers = [path.name[:4] for path in folder.glob("0*.py")]
        assert len(numbers) == len(set(numbers)), f"{app}: two migrations share a number"
        assert not list(folder.glob("*merge*.py")), f"{app}: a merge migration"
