"""The container files (Dockerfile, docker-compose.yml, .dockerignore) say true things about this project.

No Docker engine runs here, so the checks are static: every command a container runs names a program
the project has and arguments that program accepts, every variable the stack passes is one the settings
read (and read safely when left empty), the image's Python fits the project's, and the ports and paths
agree with each other.
"""

import ast
import importlib
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pytest
import yaml
from celery import Celery
from celery.app.routes import MapRoute
from celery.app.routes import prepare as prepare_routes
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import get_commands, load_command_class
from django.test import RequestFactory
from django.urls import resolve
from gunicorn.config import Config as GunicornConfig
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.settings_files import SETTINGS_FILES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# The settings' helpers that read one environment variable; an empty value means "unset" for
# env_bool and env_list, and for env_str only when its default is empty too.
ENV_HELPERS_EMPTY_IS_DEFAULT = {"env_bool", "env_list"}
ENV_HELPERS_EMPTY_IS_VALUE = {"env_str"}
# What the operator gives `docker compose` in the checks that resolve the file's ${...} references.
OPERATOR_ENV = {"SECRET_KEY": "test-only-secret-key"}


# --- reading the files ------------------------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def project_services() -> dict[str, dict]:
    """The services whose image is built from this project (`build: .`)."""
    services = load_compose()["services"]
    built = {}
    for name, service in services.items():
        build = service.get("build")
        context = build.get("context") if isinstance(build, dict) else build
        if context is not None and Path(ROOT, context).resolve() == ROOT:
            built[name] = service
    return built


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_values(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


def exec_form(keyword: str) -> list[str]:
    """The last CMD or ENTRYPOINT of the Dockerfile, which must be in exec (JSON array) form."""
    values = dockerfile_values(keyword)
    if not values:
        return []
    parsed = json.loads(values[-1])
    assert isinstance(parsed, list), f"{keyword} must be in exec form (a JSON array), so signals reach it"
    return parsed


def dockerfile_default_command() -> list[str]:
    return exec_form("ENTRYPOINT") + exec_form("CMD")


def service_command(service: dict) -> list[str]:
    """What a service built from the project runs: its command, or the image's default command."""
    return argv(service["command"]) if "command" in service else dockerfile_default_command()


def settings_env_reads() -> dict[str, bool]:
    """Each environment variable the settings (portal/settings/) read -> whether an empty value counts as
    unset."""
    reads: dict[str, bool] = {}

    def record(name: ast.expr, empty_is_unset: bool) -> None:
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            reads[name.value] = reads.get(name.value, True) and empty_is_unset

    def default_is_empty(call: ast.Call) -> bool:
        default = call.args[1] if len(call.args) > 1 else None
        default = next((kw.value for kw in call.keywords if kw.arg == "default"), default)
        return default is None or (isinstance(default, ast.Constant) and default.value in ("", None))

    for node in (node for file in SETTINGS_FILES for node in ast.walk(ast.parse(file.read_text()))):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Name) and func.id in ENV_HELPERS_EMPTY_IS_DEFAULT:
                record(node.args[0], True)
            elif (isinstance(func, ast.Name) and func.id in ENV_HELPERS_EMPTY_IS_VALUE) or (
                isinstance(func, ast.Attribute) and ast.unparse(func) in {"os.environ.get", "os.getenv"}
            ):
                record(node.args[0], default_is_empty(node))
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            record(node.slice, True)
    assert reads, "found no environment reads in portal/settings/; the parser no longer fits it"
    return reads


COMPOSE_REFERENCE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_]\w*)"
)


def interpolate(value: str, operator_env: dict[str, str]) -> str:
    """Resolve ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and $$ as docker compose does."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        given, present = operator_env.get(name, ""), name in operator_env
        if op == ":-":
            return given or arg
        if op == "-":
            return given if present else arg
        if (op == ":?" and not given) or (op == "?" and not present):
            raise ValueError(f"{name}: {arg}")
        return given

    return COMPOSE_REFERENCE.sub(substitute, value)


def stack_environment(service: dict) -> dict:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return environment


def all_project_env_names() -> set[str]:
    return {name for service in project_services().values() for name in stack_environment(service)}


def resolved_environment(service: dict, operator_env: dict[str, str]) -> dict[str, str]:
    return {name: interpolate(value, operator_env) for name, value in stack_environment(service).items()}


def celery_invocation(args: list[str]):
    """Parse `celery [group options] SUBCOMMAND [options]` with Celery's own command line.

    Returns (the Celery app -A names, the subcommand name, the subcommand's parsed parameters).
    """
    position = next((i for i, token in enumerate(args) if token in celery_cli.commands), None)
    assert position is not None, f"no celery subcommand in {args}"
    group = celery_cli.make_context("celery", list(args[:position]))
    app = find_app(group.params["app"])
    group.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)  # as the celery group sets it
    name = args[position]
    parsed = celery_cli.commands[name].make_context(name, list(args[position + 1 :]), parent=group)
    return app, name, parsed.params


def project_queues(app: Celery) -> set[str]:
    """The default queue, declared queues, queues named in task routes and in tasks' own options."""
    # What the worker's autodiscovery imports (without the worker's model checks, which need a database).
    app.loader.autodiscover_tasks([config.name for config in django_apps.get_app_configs()], "tasks")
    queues = {app.conf.task_default_queue}

    def queue_name(queue) -> str | None:
        if isinstance(queue, str):
            return queue
        if isinstance(queue, dict):
            return queue_name(queue.get("queue"))
        return getattr(queue, "name", None)

    queues |= {queue_name(queue) for queue in app.conf.task_queues or ()}
    for route in prepare_routes(app.conf.task_routes):
        if isinstance(route, MapRoute):
            queues |= {queue_name(options) for options in route.map.values()}
            queues |= {queue_name(options) for options in route.patterns.values()}
    queues |= {queue_name(getattr(task, "queue", None)) for task in app.tasks.values()}
    return queues - {None}


def worker_queues() -> dict[str, list[str]]:
    """Each Celery worker service -> the queues it consumes (-Q, or the default queue without it)."""
    consumed = {}
    for name, service in project_services().items():
        command = service_command(service)
        if command[:1] == ["celery"]:
            app, subcommand, params = celery_invocation(command[1:])
            if subcommand == "worker":
                consumed[name] = list(params.get("queues") or [app.conf.task_default_queue])
    return consumed


def gunicorn_target(args: list[str]):
    """Parse gunicorn's arguments with gunicorn's own parser; return (parsed options, the WSGI callable)."""
    options = GunicornConfig().parser().parse_args(args)
    assert len(options.args) == 1, f"gunicorn needs exactly one WSGI target, got {options.args}"
    module_name, _, attribute = options.args[0].partition(":")
    target = getattr(importlib.import_module(module_name), attribute or "application")
    return options, target


def check_manage_py(args: list[str]) -> None:
    assert (ROOT / "manage.py").is_file()
    assert len(args) >= 1, "manage.py without a command"
    name, rest = args[0], args[1:]
    commands = get_commands()
    assert name in commands, f"Django knows no management command {name!r}"
    command = load_command_class(commands[name], name)
    command.create_parser("manage.py", name).parse_args(rest)  # CommandError on an unknown option


def check_program(command: list[str]) -> None:
    program = command[0]
    if program in {"python", "python3"} and command[1:2] == ["manage.py"]:
        check_manage_py(command[2:])
    elif program == "celery":
        app, _, _ = celery_invocation(command[1:])
        assert isinstance(app, Celery), f"celery -A finds {app!r}, not a Celery app"
    elif program == "gunicorn":
        _, target = gunicorn_target(command[1:])
        assert callable(target), f"the gunicorn target {target!r} is not callable"
    else:
        pytest.fail(f"{command} runs no program this project provides")


# --- docker-compose.yml ----------------------------------------------------------------------------


def test_the_stack_has_web_worker_beat_postgres_and_redis_services():
    services = load_compose()["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert {"web", "worker", "beat"} <= set(project_services()), "they run the project's image"


@pytest.mark.parametrize("service_name", sorted(project_services()))
def test_a_service_built_from_the_project_runs_a_program_the_project_has(service_name):
    command = service_command(project_services()[service_name])

    assert command, f"{service_name} has no command and the image no CMD"
    check_program(command)


def test_the_migrate_service_runs_once_before_web_worker_and_beat_start():
    services = project_services()
    migrate = services["migrate"]

    assert service_command(migrate)[:4] == ["python", "manage.py", "migrate", "--noinput"]
    assert str(migrate.get("restart", "no")) == "no", "a one-off migration must not restart in a loop"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_every_service_waited_for_as_healthy_has_a_healthcheck():
    services = load_compose()["services"]
    awaited = {
        dependency
        for service in services.values()
        for dependency, condition in (service.get("depends_on") or {}).items()
        if isinstance(condition, dict) and condition.get("condition") == "service_healthy"
    }

    assert awaited, "nothing waits for a healthy service"
    for name in awaited:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} is awaited as healthy, unchecked"


def test_the_web_healthcheck_asks_for_a_path_the_portal_serves_on_the_port_gunicorn_binds():
    web = load_compose()["services"]["web"]
    check = web["healthcheck"]["test"]
    check_text = " ".join(check) if isinstance(check, list) else check
    urls = re.findall(r"https?://[^\s'\"]+", check_text)
    assert len(urls) == 1, f"expected one URL in the web healthcheck, found {urls}"
    url = urlparse(urls[0])
    options, _ = gunicorn_target(service_command(web)[1:])

    assert url.port in {int(bind.rsplit(":", 1)[1]) for bind in options.bind}
    match = resolve(url.path)
    response = match.func(RequestFactory().get(url.path), *match.args, **match.kwargs)
    assert response.status_code == 200
    if isinstance(check, list) and check[1:3] == ["python", "-c"]:
        compile(check[3], "web-healthcheck", "exec")  # the one-liner is valid Python


def test_every_queue_a_worker_consumes_is_the_default_queue_or_one_the_project_routes_to():
    app = find_app("portal")
    known = project_queues(app)
    consumed = worker_queues()

    assert django_settings.CELERY_TASK_DEFAULT_QUEUE == "default" == app.conf.task_default_queue
    assert consumed, "no service runs a Celery worker"
    for service_name, queues in consumed.items():
        assert set(queues) <= known, f"{service_name} consumes {set(queues) - known}, which nothing routes to"


def test_every_queue_the_project_routes_tasks_to_has_a_worker():
    known = project_queues(find_app("portal"))
    consumed = {queue for queues in worker_queues().values() for queue in queues}

    assert known <= consumed, f"tasks sent to {known - consumed} would wait forever: no worker consumes them"


def test_the_beat_service_runs_the_scheduler_of_the_portal_app():
    app, subcommand, params = celery_invocation(service_command(project_services()["beat"])[1:])

    assert subcommand == "beat"
    assert app is find_app("portal")
    assert params.get("schedule"), "beat must keep its schedule where the non-root user may write"


def test_every_variable_the_stack_passes_is_one_the_settings_read():
    read = settings_env_reads()
    passed = all_project_env_names()

    assert passed, "the project's services get no environment"
    assert passed <= set(read), f"portal/settings/ never reads {sorted(passed - set(read))}"


def test_a_variable_the_stack_may_leave_empty_is_one_the_settings_treat_as_unset_when_empty():
    read = settings_env_reads()
    left_empty = {
        name
        for service in project_services().values()
        for name, value in resolved_environment(service, OPERATOR_ENV).items()
        if value == ""
    }

    taken_literally = sorted(name for name in left_empty if not read.get(name, False))
    assert not taken_literally, f"settings would use an empty string for {taken_literally}; give a default"


def test_the_stack_refuses_to_start_without_a_secret_key():
    web = project_services()["web"]

    with pytest.raises(ValueError, match="SECRET_KEY"):
        resolved_environment(web, {})


def test_the_database_and_redis_urls_point_at_the_stacks_own_services():
    services = load_compose()["services"]
    environment = resolved_environment(project_services()["web"], OPERATOR_ENV)
    database = urlparse(environment["DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    redis_url = urlparse(environment["REDIS_URL"])

    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "postgres" and (database.port or 5432) == 5432
    assert (database.username, database.password, database.path.lstrip("/")) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    assert redis_url.scheme == "redis" and redis_url.hostname == "redis" and (redis_url.port or 6379) == 6379


def test_the_settings_load_for_production_from_the_stacks_environment():
    environment = stack_environment(project_services()["web"])
    assert all(isinstance(value, str) for value in environment.values()), "compose wants strings (quote them)"
    resolved = resolved_environment(project_services()["web"], OPERATOR_ENV)
    script = (
        "import json, django; django.setup();"
        "from django.conf import settings; from django.core.management import call_command;"
        "call_command('check');"
        "print(json.dumps({'debug': settings.DEBUG, 'db': settings.DATABASES['default']['ENGINE'],"
        " 'broker': settings.CELERY_BROKER_URL, 'eager': settings.CELERY_TASK_ALWAYS_EAGER}))"
    )
    child_env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "portal.settings", **resolved}

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "debug": False,
        "db": "django.db.backends.postgresql",
        "broker": resolved["REDIS_URL"],
        "eager": False,
    }


# --- Dockerfile ------------------------------------------------------------------------------------


def test_the_images_default_command_serves_an_importable_wsgi_application():
    command = dockerfile_default_command()

    assert command[:1] == ["gunicorn"], f"the image's default command is {command}"
    check_program(command)


def test_the_images_python_satisfies_the_projects_requires_python():
    base = dockerfile_values("FROM")[-1].split()[0]
    match = re.fullmatch(r"(?:docker\.io/)?(?:library/)?python:(\d+)\.(\d+)(?:\.\d+)?(?:-\S+)?", base)
    assert match, f"the final stage is not an official python image: {base}"
    image_python = Version(f"{match[1]}.{match[2]}")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requires = SpecifierSet(project["requires-python"])

    assert requires.contains(image_python), f"python {image_python} is outside requires-python {requires}"
    floors = [Version(spec.version) for spec in requires if spec.operator in {">=", "~=", "=="}]
    assert floors and all(image_python >= floor for floor in floors)


def test_the_image_installs_the_locked_dependencies_and_collects_static_files_when_built():
    instructions = dockerfile_instructions()
    install = next(i for i, (keyword, arguments) in enumerate(instructions) if "pip install" in arguments)
    copy_all = next(
        i for i, (keyword, args) in enumerate(instructions) if keyword == "COPY" and args.split()[0] == "."
    )
    collect = next(i for i, (keyword, arguments) in enumerate(instructions) if "collectstatic" in arguments)
    install_args = shlex.split(instructions[install][1])

    assert dockerfile_values("WORKDIR")[-1] == "/app"
    assert instructions[install][0] == "RUN" and "--require-hashes" in install_args
    assert install_args[install_args.index("-r") + 1] == "requirements.lock", "the runtime lock, not dev's"
    assert any(
        keyword == "COPY" and "requirements.lock" in args for keyword, args in instructions[:install]
    ), "requirements.lock must be in the image before it is installed"
    assert install < copy_all < collect, "collectstatic runs over the copied project, after the install"
    collect_args = shlex.split(instructions[collect][1])
    assert any(token.startswith("SECRET_KEY=") for token in collect_args), "settings refuse to load without"
    check_manage_py(collect_args[collect_args.index("manage.py") + 1 :])
    assert not any("SECRET_KEY" in arguments for arguments in dockerfile_values("ENV")), "no key in the image"


def test_collectstatic_succeeds_with_the_production_static_storage(settings, tmp_path):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    assert (tmp_path / "staticfiles.json").is_file()


def test_the_image_runs_as_a_non_root_user_that_owns_the_directories_it_writes():
    user = dockerfile_values("USER")[-1].split(":")[0]
    run_tokens = [shlex.split(arguments) for arguments in dockerfile_values("RUN")]
    owned: set[PurePosixPath] = set()
    workdir = PurePosixPath(dockerfile_values("WORKDIR")[-1])
    for tokens in run_tokens:
        for i, token in enumerate(tokens):
            if token == "chown":
                rest = [t for t in tokens[i + 1 :] if not t.startswith("-")]
                owner, paths = rest[0], rest[1:]
                if owner.split(":")[0] == user:
                    for path in paths:
                        if path in {"&&", ";"}:
                            break
                        owned.add(workdir / path)
    beat_params = celery_invocation(service_command(project_services()["beat"])[1:])[2]
    media_root = workdir / django_settings.MEDIA_ROOT.relative_to(django_settings.BASE_DIR)

    assert user not in {"root", "0"}
    assert any("useradd" in tokens and user in tokens for tokens in run_tokens), f"user {user} is not created"
    assert media_root in owned, "uploads need a directory the user may write"
    assert PurePosixPath(beat_params["schedule"]).parent in owned, "beat writes its schedule file there"


def test_the_port_gunicorn_binds_is_the_one_the_image_exposes_and_web_publishes():
    web = load_compose()["services"]["web"]
    options, _ = gunicorn_target(service_command(web)[1:])
    bound = {int(bind.rsplit(":", 1)[1]) for bind in options.bind}
    exposed = {int(port.split("/")[0]) for value in dockerfile_values("EXPOSE") for port in value.split()}
    published = {int(str(mapping).rsplit(":", 1)[1].split("/")[0]) for mapping in web["ports"]}

    assert bound and bound == exposed == published
    assert all(bind.startswith("0.0.0.0:") for bind in options.bind), "bind all interfaces in a container"


# --- pyproject.toml and .dockerignore ----------------------------------------------------------------


def test_gunicorn_and_celery_are_declared_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(Requirement(requirement).name) for requirement in project["dependencies"]}

    assert {"gunicorn", "celery"} <= declared


def test_the_build_context_leaves_out_local_state():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}

    assert {".venv", "var", "node_modules", ".git", "__pycache__", "test-results"} <= ignored


def test_the_image_leaves_out_the_benchmark_and_load_test_tooling_and_their_commands_say_so(tmp_path):
    """The tooling is excluded from the build context; a copy of the project without it (as the image
    has it) still starts, and the commands answer in one line."""
    import shutil

    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"portal/bench", "portal/loadtest.py"} <= ignored
    image = tmp_path / "app"
    left_out = {ROOT / "portal" / "bench", ROOT / "portal" / "loadtest.py"}
    left_out |= {ROOT / name for name in (".git", ".venv", "node_modules", "var")}
    # Nor what runs write meanwhile (another xdist worker's bytecode, caches, browser artifacts).
    written = {"__pycache__", ".pytest_cache", ".hypothesis", "test-results"}
    shutil.copytree(
        ROOT,
        image,
        ignore=lambda folder, names: [n for n in names if Path(folder) / n in left_out or n in written],
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": ""}
    for command in (["check"], ["benchmark", "--help"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=image, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", "--serve", "--seconds", "1"],
        cwd=image, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "not in this installation" in result.stderr and "Traceback" not in result.stderr
