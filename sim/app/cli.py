"""The ``callsim`` command: subcommands with their own help (Typer), imports on demand.

``callsim --help`` lists the subcommands, ``callsim --version`` prints callsim's version.
Every subcommand takes its settings the same way, as ``KEY=VALUE`` words:

* ``callsim run [KEY=VALUE ...]`` runs a scenario (replications with confidence
  intervals) into ``results/<run.name>/<timestamp>/``; ``callsim run -m a=1,2`` sweeps
  (Hydra multirun, :mod:`sim.app.sweep`). ``run`` is the default: bare ``callsim key=value``
  and ``callsim -m ...`` work as before.
* ``callsim validate [KEY=VALUE ...]``: simulation next to the exact formulas.
* ``callsim collect SWEEP_DIR``: stacks a sweep into ``sweep.parquet`` and ``sweep.csv``.
* ``callsim plan``, ``simulate-plan``, ``marginal``, ``fit``: *pass-through* commands
  (:data:`PASSTHROUGH`). Their implementation lives in another module, whose entry
  function takes an argparse-style ``argv``; a ``KEY=VALUE`` whose key is one of that
  command's options becomes ``--key VALUE`` (``--key`` for an on/off option given
  ``true``, nothing for ``false``), any other ``KEY=VALUE`` is an override of the centre
  config (``--set KEY=VALUE``). The old ``--flags`` still work unchanged.

A bad key or value stops before any simulation with one line naming the key, the value
and what is allowed, and exit status 2. Nothing heavy (Hydra, pandas, scipy, matplotlib)
is imported until a subcommand runs, so ``callsim --help`` answers in well under a second.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.app.errors import UsageError, friendly_errors
from sim.app.pipes import pipe_safe_stdout

__all__ = [
    "PASSTHROUGH",
    "Passthrough",
    "app",
    "friendly_errors",
    "main",
    "passthrough_help",
    "translate_args",
]

log = logging.getLogger("callsim")

_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config" / "yaml"
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _log_to_stdout() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)


# --------------------------------------------------------------------------- pass-through


@dataclass(frozen=True)
class Passthrough:
    """A subcommand whose implementation lives in another module.

    Attributes:
        name: the subcommand, e.g. ``"plan"``.
        summary: what the command does (its ``--help``).
        entry: ``"module:function"``; the function takes an argparse-style ``argv``
            (``list[str]``) and raises ``ConfigError`` on bad input.
        parser: ``"module:function"`` returning its ``argparse.ArgumentParser`` (for
            ``KEY=VALUE`` mapping and help), or ``None``: arguments pass unchanged.
        config_option: the option that takes one centre-config override ``KEY=VALUE``
            (``"--set"``), or ``None``: a key that is no option is then refused.
    """

    name: str
    summary: str
    entry: str
    parser: str | None = None
    config_option: str | None = "--set"
    short: str = ""  # the line in `callsim --help` (default: the summary)


#: The pass-through subcommands. The lead wires the other helpers' entry functions here.
PASSTHROUGH: dict[str, Passthrough] = {
    p.name: p
    for p in (
        Passthrough(
            "plan",
            "Agents per interval from a forecast (Erlang C, Erlang A, M/M/n+G, simulation), "
            "a roster, a profit curve.",
            "sim.app.plan:main",
            "sim.app.plan:parser",
            short="Agents per interval from a forecast; roster; profit.",
        ),
        Passthrough(
            "simulate-plan",
            "Simulate a plan.csv or roster.csv against its forecast: service level, "
            "abandonment, ASA, occupancy per interval with confidence intervals.",
            "sim.app.simulate_plan:cmd_simulate_plan",
            "sim.app.simulate_plan:parser",
            short="Simulate a plan or roster: KPIs per interval with CIs.",
        ),
        Passthrough(
            "marginal",
            "What one agent more or less (an interval, a day, the whole plan) does to service "
            "level, abandoned calls, customers lost and profit.",
            "sim.app.marginal:cmd_marginal",
            "sim.app.marginal:parser",
            short="What one agent more or less does (paired, with CIs).",
        ),
        Passthrough(
            "fit",
            "Fit a model of your centre from its call log (arrivals, handle time, patience "
            "with censoring, redials, agents on duty) into a scenario and a report.",
            "sim.fit.cli:main",
            "sim.fit.cli:parser",
            config_option=None,
            short="Fit a scenario and a report from a call log.",
        ),
    )
}


def _resolve(ref: str, command: str) -> Callable[..., Any]:
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        raise UsageError(
            f"callsim {command}: not available in this version ({module_name} is missing)"
        ) from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise UsageError(f"callsim {command}: not available in this version ({ref} is missing)")
    return fn


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """``key`` -> action, for every ``--long-option`` of ``parser`` (``--sl-target``: ``sl_target``)."""
    found: dict[str, argparse.Action] = {}
    for action in parser._actions:
        for opt in action.option_strings:
            if opt.startswith("--") and opt != "--help":
                found[opt[2:].replace("-", "_")] = action
    return found


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def translate_args(
    args: list[str], parser: argparse.ArgumentParser | None, config_option: str | None,
    command: str,
) -> list[str]:  # fmt: skip
    """Map ``KEY=VALUE`` words onto ``parser``'s options (see the module docstring).

    Words starting with ``-`` and the value that follows an option taking one pass
    unchanged, so the old ``--flag VALUE`` style keeps working. Raises ``UsageError``
    for a ``KEY=VALUE`` whose key is no option when there is no ``config_option``, and
    for an on/off option given something other than true/false.
    """
    if parser is None:
        return list(args)
    options = _options(parser)
    out: list[str] = []
    raw_next = False
    for word in args:
        if raw_next:
            out.append(word)
            raw_next = False
            continue
        if word.startswith("-"):
            action = options.get(word.lstrip("-").partition("=")[0].replace("-", "_"))
            raw_next = action is not None and "=" not in word and _takes_value(action)
            out.append(word)
            continue
        key, eq, value = word.partition("=")
        action = options.get(key.replace("-", "_")) if eq else None
        if action is None:
            if not eq:
                out.append(word)  # a positional argument
            elif config_option is not None:
                out += [config_option, word]
            else:
                allowed = ", ".join(sorted(options))
                raise UsageError(f"callsim {command}: {key}: unknown option (allowed: {allowed})")
            continue
        flag = max(action.option_strings, key=len)
        if _takes_value(action):
            out += [flag, value]
        elif value.lower() in _TRUE:
            out.append(flag)
        elif value.lower() not in _FALSE:
            raise UsageError(f"callsim {command}: {key} = {value!r}: must be true or false")
    return out


def _default_text(action: argparse.Action) -> str:
    if action.default in (None, False, [], argparse.SUPPRESS):
        return ""
    return f" (default: {action.default})"


def passthrough_help(spec: Passthrough) -> str:
    """Help of a pass-through subcommand: its options as ``KEY=VALUE``, from its parser."""
    lines = [f"Usage: callsim {spec.name} [KEY=VALUE ...]", "", spec.summary, ""]
    if spec.parser is None:
        lines.append("Arguments pass unchanged to " + spec.entry + ".")
        return "\n".join(lines)
    parser = _resolve(spec.parser, spec.name)()
    positionals = [a for a in parser._actions if not a.option_strings]
    for action in positionals:
        lines.append(f"  {action.dest.upper():<28} {action.help or ''}")
    lines.append("Options (KEY=VALUE; the --key VALUE form works too):")
    config_key = None
    for key, action in _options(parser).items():
        if spec.config_option and spec.config_option in action.option_strings:
            config_key = key
            continue
        if action.help == argparse.SUPPRESS:  # hidden from help, as argparse does
            continue
        value = "true|false" if not _takes_value(action) else (action.metavar or "VALUE")
        left = f"{key}={value}"
        lines.append(f"  {left:<28} {action.help or ''}{_default_text(action)}")
    if config_key is not None:
        lines += [
            "",
            "Any other KEY=VALUE overrides the centre configuration, as for `callsim run`",
            f"(e.g. run.days=7 patience.mean_s=30; the old form is {spec.config_option} "
            "KEY=VALUE).",
        ]
    return "\n".join(lines)


def _dispatch(spec: Passthrough, args: list[str]) -> None:
    _log_to_stdout()
    with friendly_errors():
        if args and args[0] in ("--help", "-h", "help"):
            typer.echo(passthrough_help(spec))
            return
        parser = _resolve(spec.parser, spec.name)() if spec.parser else None
        argv = translate_args(args, parser, spec.config_option, spec.name)
        status = _resolve(spec.entry, spec.name)(argv)
    if isinstance(status, int) and not isinstance(status, bool) and status:
        raise typer.Exit(status)  # an entry that returns an exit status (callsim fit)


# --------------------------------------------------------------------------- Hydra commands


def _groups() -> str:
    groups = sorted(
        f"{d.name} ({', '.join(sorted(p.stem for p in d.glob('*.yaml')))})"
        for d in _CONFIG_DIR.iterdir()
        if d.is_dir() and d.name not in ("hydra", "forecast") and any(d.glob("*.yaml"))
    )
    return "\n".join(f"  {g}" for g in groups)


_RUN_HELP = """Usage: callsim run [KEY=VALUE ...]        (or bare: callsim [KEY=VALUE ...])
       callsim run -m KEY=A,B [KEY=VALUE ...] (a sweep, one folder per point)

Run a scenario: replications with confidence intervals, written to
results/<run.name>/<timestamp>/ (config, summary, intervals, calls, figures, report).

  KEY=VALUE       override a config key, e.g. run.days=7 staffing.agents=40
  GROUP=OPTION    pick a config group option, e.g. scenario=understaffed
  -m, --multirun  sweep the comma-separated values (re-runs skip finished points)
  --cfg job       print the composed config instead of running
  --hydra-help    Hydra's own help

Config groups (GROUP=OPTION):
{groups}

Every key, its unit and what is allowed: docs/reference/config.md.
"""

_VALIDATE_HELP = """Usage: callsim validate [KEY=VALUE ...]

Simulate a configuration that meets the assumptions of an exact formula (Erlang B, C,
A or M/M/n+G) and print simulated next to exact, with confidence intervals; writes no
results. Default scenario: steady_genesys (others: steady_erlang_a, steady_erlang_b,
steady_erlang_c; any KEY=VALUE as for `callsim run`).
"""


def _hydra_command(name: str, args: list[str]) -> None:
    if args and args[0] in ("--help", "-h"):
        text = _RUN_HELP.format(groups=_groups()) if name == "run" else _VALIDATE_HELP
        typer.echo(text.rstrip())
        return
    with friendly_errors():
        from sim.app import hydra_app

        (hydra_app.run_hydra if name == "run" else hydra_app.validate_hydra)(args)


# --------------------------------------------------------------------------- the app

app = typer.Typer(
    name="callsim",
    help="callsim: a discrete-event simulator of inbound call centres, and a planner.\n\n"
    "Settings are KEY=VALUE words in every subcommand; `callsim COMMAND --help` lists them. "
    "Bare `callsim KEY=VALUE ...` (and `callsim -m ...`) is `callsim run`.",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich is not imported, `callsim --help` stays fast
)
_PASS = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"callsim {version('callsim')}")
        except PackageNotFoundError:
            typer.echo("callsim (not installed: version unknown)")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print callsim's version."
        ),
    ] = False,
) -> None:
    """callsim: a discrete-event simulator of inbound call centres, and a planner."""


@app.command("run", context_settings=_PASS, add_help_option=False)
def _run_command(ctx: typer.Context) -> None:
    """Run a scenario (the default); -m sweeps. KEY=VALUE overrides."""
    _hydra_command("run", list(ctx.args))


@app.command("validate", context_settings=_PASS, add_help_option=False,
             short_help="Simulation next to the exact formulas.")  # fmt: skip
def _validate_command(ctx: typer.Context) -> None:
    """Simulation next to the exact formulas (default scenario steady_genesys)."""
    _hydra_command("validate", list(ctx.args))


@app.command("collect", short_help="Stack a sweep into sweep.parquet and sweep.csv.")
def _collect_command(
    sweep_dir: Annotated[Path, typer.Argument(help="the sweep folder, e.g. results/NAME/sweep")],
) -> None:
    """Stack the points of a sweep into sweep.parquet and sweep.csv (one row per point and
    replication) inside the sweep folder."""
    _log_to_stdout()
    with friendly_errors():
        from sim.app.sweep import write_collected

        write_collected(sweep_dir)


def _add_passthrough(spec: Passthrough) -> None:
    def command(ctx: typer.Context) -> None:
        _dispatch(spec, list(ctx.args))

    command.__doc__ = spec.summary
    app.command(spec.name, context_settings=_PASS, add_help_option=False, help=spec.summary,
                short_help=spec.short or spec.summary)(command)  # fmt: skip


for _spec in PASSTHROUGH.values():
    _add_passthrough(_spec)

_COMMANDS = ("run", "validate", "collect", *PASSTHROUGH)
_ROOT_OPTIONS = ("--help", "-h", "--version")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``callsim`` console script (``argv``: default ``sys.argv[1:]``).

    Two words apply to every subcommand and are taken out before it sees them:
    ``--trust`` (the command's configs may run code and read the environment,
    :mod:`sim.config.trust`) and ``--force`` (``run.force=true``: run what the size
    estimate refuses, :mod:`sim.config.size`).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if "--trust" in args:  # Hydra must not see it
        from sim.config.trust import TRUST_ENV

        args = [a for a in args if a != "--trust"]
        os.environ[TRUST_ENV] = "1"
    if "--force" in args:
        args = [a for a in args if a != "--force"] + ["run.force=true"]
    if not args or (args[0] not in _COMMANDS and args[0] not in _ROOT_OPTIONS):
        args = ["run", *args]  # bare `callsim key=value` and `callsim -m ...`
    if args == ["-h"]:
        args = ["--help"]
    with pipe_safe_stdout():  # `callsim ... | head`: no traceback when head has read enough
        app(args=args, prog_name="callsim")


if __name__ == "__main__":
    main()
