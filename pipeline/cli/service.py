"""`badgeline up | init | web | worker | verifier`: run the service, all of it or one part."""

from __future__ import annotations

import os

import click

from pipeline.cli.common import settings_options
from pipeline.exposure import role_env
from pipeline.processes import python_module
from pipeline.runner import (WEB_PROCESSES, StackError, check_public_url, prepare, prepare_store, running_stack,
                             serve_forever, settings_env, web_argv, worker_argv)
from pipeline.settings import Settings


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Celery worker processes.")
@click.option("--web-processes", default=WEB_PROCESSES, show_default=True, type=click.IntRange(1),
              help="Web server processes sharing the port (one uses at most one core).")
@settings_options
def up_command(host: str, port: int, workers: int, web_processes: int, settings: Settings) -> None:
    """Start everything on this machine: store, Redis, a worker and the web server."""
    own = f"{host}:{port}"
    settings = settings.model_copy(update={
        "public_url": settings.public_url if "BADGELINE_PUBLIC_URL" in os.environ else f"http://{own}",
        "verifier_allowed_hosts": [*settings.verifier_allowed_hosts, own],
    })
    try:
        with running_stack(settings, host=host, port=port, workers=workers, web_processes=web_processes) as stack:
            click.echo(f"badgeline is up (issuer {stack.issuer_id})")
            click.echo(f"  provider API     {stack.web_url}/api/v1/events")
            click.echo(f"  verifier         {stack.web_url}/")
            click.echo(f"  frameworks       {stack.web_url}/frameworks/")
            click.echo(f"  health           {stack.web_url}/healthz")
            for alias_port in stack.alias_ports:
                click.echo(f"  old URL (alias)  http://{host}:{alias_port}")
            click.echo(f"  data             {settings.data_dir.resolve()}")
            click.echo(f"  logs             {(settings.data_dir / 'logs').resolve()}")
            click.echo("Ctrl-C to stop.")
            serve_forever(stack)
    except StackError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo("stopped.")


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--processes", default=WEB_PROCESSES, show_default=True, type=click.IntRange(1),
              help="Processes sharing the port (one uses at most one core), e.g. one per core.")
@settings_options
def web_command(host: str, port: int, processes: int, settings: Settings) -> None:
    """Run only the web server (provider API, published material, verifier)."""
    if not settings.redis_url:
        raise click.UsageError("set BADGELINE_REDIS_URL (the web process sends tasks to the workers' broker)")
    try:
        prepare_store(settings)
        check_public_url(settings)
    except StackError as exc:
        raise click.ClickException(exc.message) from exc
    env = role_env("web", {**os.environ, **settings_env(settings, settings.redis_url)})
    argv = web_argv(settings, host, port, processes=processes)
    os.execve(argv[0], argv, env)


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="Also run the periodic sweep (run it in exactly one worker).")
@settings_options
def worker_command(concurrency: int, beat: bool, settings: Settings) -> None:
    """Run only a Celery worker (it holds the signing key)."""
    if not settings.redis_url:
        raise click.UsageError("set BADGELINE_REDIS_URL (`badgeline up` runs an embedded Redis for you)")
    try:
        prepare(settings)
    except StackError as exc:
        raise click.ClickException(exc.message) from exc
    env = role_env("worker", {**os.environ, **settings_env(settings, settings.redis_url)})
    argv = worker_argv(settings, concurrency, beat=beat)
    os.execve(argv[0], argv, env)





@click.command("init")
@settings_options
def init_command(settings: Settings) -> None:
    """Migrate the store to the current schema and create the issuer key if there is none."""
    try:
        issuer_id = prepare(settings)
    except StackError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"store migrated; issuer {issuer_id}")


@click.command("verifier")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1),
              help="Processes sharing the port (one uses at most one core), e.g. one per core.")
def verifier_command(host: str, port: int, processes: int) -> None:
    """Run the employer verifier on its own (no database, no workers).

    Settings: BADGELINE_VERIFIER_* variables, e.g. BADGELINE_VERIFIER_ALLOWED_HOSTS.
    """
    argv = python_module("verifier", "--host", host, "--port", str(port),
                         "--processes", str(processes))  # by name: no import here
    os.execv(argv[0], argv)
