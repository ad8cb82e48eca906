"""The ``govledger`` command line.

Errors are turned into output once, here: a :class:`~govledger.errors.GovLedgerError` (or a
library error mapped to one) prints as one line ``(Name) message`` on stderr and exits with its
family's code; anything else (a bug) as one line ``(InternalError) ...`` with exit code 1. A
traceback is shown only with ``--debug``. Each service adds its own command groups
(:attr:`~govledger.platform.ServicePlugin.commands`); what all commands share is in
:mod:`govledger.commands`.
"""

from __future__ import annotations

import sys
import traceback

import typer

from govledger.app import default_services
from govledger.cli import bench, chain, crypto, demo, department, governance, login, run, serve
from govledger.cli.examples import add_examples
from govledger.commands import CLIState
from govledger.errors import as_govledger_error
from govledger.settings import load_settings

app = typer.Typer(
    name="govledger",
    help="E-licence and data-sharing ledger on a permissioned chain, with SM2/SM3/SM4.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(crypto.app, name="crypto")
app.add_typer(chain.app, name="chain")
app.add_typer(department.app, name="department")
app.add_typer(governance.app, name="governance")
app.add_typer(bench.app, name="bench")
SERVICES = default_services()
for _service in SERVICES:
    app.add_typer(_service.commands)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("run")(run.run)
app.command("login")(login.login)
add_examples(app)


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    # Settings are validated before any command runs, so a bad environment fails early and clearly.
    ctx.obj = CLIState(settings=load_settings(), debug=debug, services=SERVICES)


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        # Standalone mode: usage errors and --help are handled by Typer and end in SystemExit.
        app()
    except Exception as exc:  # one place turns every error into one line
        error = as_govledger_error(exc)
        if debug:
            traceback.print_exception(exc)
        if error is None:
            hint = "" if debug else " (--debug shows the traceback)"
            typer.echo(
                f"(InternalError) {type(exc).__name__}: {_one_line(str(exc))}{hint}", err=True
            )
            sys.exit(1)
        message = _one_line(error.user_message or error.detail)
        typer.echo(f"({type(error).__name__}) {message}", err=True)
        sys.exit(error.exit_code)


def _one_line(message: str) -> str:
    """A message on one line (a validation error lists its problems on several)."""
    return "; ".join(line.strip() for line in message.splitlines() if line.strip())
