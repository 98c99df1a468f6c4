"""What ``callsim plan``, ``simulate-plan`` and ``marginal`` share: the centre, the
forecast file and its reading options, and the output folder.

* :func:`centre_config`: ``model=<model>`` (planning by default), then ``--patience``,
  then ``--set KEY=VALUE`` overrides, composed and checked as for ``callsim``;
* :func:`add_forecast_options` / :func:`forecast_from_args`: ``--forecast FILE`` and the
  options a planner's export needs, passed to
  :func:`sim.planning.forecast.read_forecast`:

  - ``--columns MAP``: which header holds which column
    (``interval_start=Start Time,expected_calls=Offered,aht_s=AHT``, or a YAML/JSON file
    of that mapping); headers not mapped are found by name and alias;
  - ``--date-order auto|dmy|mdy``: dates like ``01/12/2026``; ``auto`` (default) reads
    the order from the file and refuses a file that never decides;
  - ``--queue NAME``: a file with a queue (skill) column is planned one queue at a
    time; the plan then carries a ``queue`` column;
  - ``--sheet NAME``: the sheet of an ``.xlsx`` forecast (default: the first);

  each needs ``--forecast`` (the centre's own forecast has no file), and ``--sheet`` an
  Excel file: anything else is refused, not ignored;
* :func:`output_folder` / :func:`publish`: the output folder, checked before any work,
  and written under a temporary name then renamed into place.

Every refusal is a :class:`~sim.core.checks.ConfigError` (one line, exit 2).
"""

from __future__ import annotations

import argparse
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np

from sim.config.compose import compose
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.planning.forecast import Forecast, read_forecast

__all__ = [
    "FORECAST_OPTIONS",
    "PATIENCE_CHOICES",
    "add_config_dir",
    "add_forecast_options",
    "centre_config",
    "config_dir_overrides",
    "forecast_from_args",
    "output_folder",
    "patience_overrides",
    "patience_text",
    "publish",
    "refuse_forecast_options",
]

#: Patience laws ``--patience`` takes (config group ``patience``), ``exponential:MEAN_S`` too.
PATIENCE_CHOICES = ("genesys", "genesys2020", "never", "exponential")

#: The forecast-reading options (argparse dests) of :func:`add_forecast_options`.
FORECAST_OPTIONS = ("columns", "date_order", "queue", "sheet")


def refuse_forecast_options(args: argparse.Namespace, hint: str) -> None:
    """Refuse ``--forecast`` and its reading options on a centre with callbacks, whose
    simulation runs the engine on the centre's own forecast (ConfigError, one line naming
    the option and its value, ending with ``hint``: what to give instead)."""
    for name in ("forecast", *FORECAST_OPTIONS):
        value = getattr(args, name, None)
        if value not in (None, False, "auto"):
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} {str(value)!r}: not for a centre with callbacks: {hint}",
                              name)  # fmt: skip


_EXCEL = (".xlsx", ".xlsm")


def add_forecast_options(p: argparse.ArgumentParser) -> None:
    """``--columns``, ``--date-order``, ``--queue``, ``--sheet`` (module docstring)."""
    p.add_argument("--columns", metavar="MAP", help="which header holds which column: "
                   "interval_start=HEADER,expected_calls=HEADER,aht_s=HEADER (or a YAML/JSON "
                   "file of that mapping); needs --forecast")  # fmt: skip
    p.add_argument("--date-order", choices=("auto", "dmy", "mdy"), default="auto",
                   help="dates like 01/12/2026: dmy (day first), mdy (month first) or auto "
                   "(read from the file)")  # fmt: skip
    p.add_argument("--queue", help="the queue (skill) to plan, in a forecast with a queue "
                   "column of several queues; needs --forecast")  # fmt: skip
    p.add_argument("--sheet", help="the sheet of an .xlsx forecast (default: the first)")


def forecast_from_args(args: argparse.Namespace) -> Forecast | None:
    """The forecast of ``--forecast`` read with the options of :func:`add_forecast_options`,
    or None without ``--forecast`` (then no reading option may be given)."""
    given = [name for name in FORECAST_OPTIONS
             if getattr(args, name, None) not in (None, "auto")]  # fmt: skip
    if args.forecast is None:
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise ConfigError(f"{flag} {getattr(args, given[0])!r}: reads a forecast file; "
                              "give --forecast FILE", given[0])  # fmt: skip
        return None
    if args.sheet is not None and Path(args.forecast).suffix.lower() not in _EXCEL:
        raise ConfigError(f"--sheet {args.sheet!r}: {args.forecast} is not an Excel file "
                          "(.xlsx/.xlsm); a CSV has no sheets", "sheet")  # fmt: skip
    return read_forecast(args.forecast, columns=args.columns, date_order=args.date_order,
                         queue=args.queue, sheet=args.sheet)  # fmt: skip


def patience_overrides(text: str | None) -> list[str]:
    """Config overrides for ``--patience`` (``[]`` without it); ConfigError if bad."""
    if text is None:
        return []
    kind, _, mean = text.partition(":")
    if kind not in PATIENCE_CHOICES:
        raise ConfigError(f"--patience {text!r}: must be one of {', '.join(PATIENCE_CHOICES)} "
                          "(exponential:MEAN_S with a mean in seconds)", "patience")  # fmt: skip
    if kind != "exponential":
        if mean:
            raise ConfigError(f"--patience {text!r}: only exponential takes a mean", "patience")
        return [f"patience={kind}"]
    try:
        value = float(mean) if mean else 180.0
    except ValueError:
        raise ConfigError(f"--patience {text!r}: MEAN_S must be a number", "patience") from None
    if not (np.isfinite(value) and value > 0):
        raise ConfigError(f"--patience {text!r}: MEAN_S must be a number > 0", "patience")
    return ["patience=exponential", f"patience.mean_s={value!r}"]


def patience_text(cfg: Config) -> str:
    """The configured patience law in a few words: ``genesys``, ``exponential, mean 30 s``."""
    p = cfg.patience
    mean_s = getattr(p, "mean_s", None)  # the kinds given by their mean
    return f"{p.kind}, mean {mean_s:g} s" if mean_s is not None else p.kind


def centre_config(args: argparse.Namespace, model: str | None = None) -> Config:
    """The centre of a planning command: ``model=<model>``, then --patience, then --set;
    with ``--config-dir DIR``, DIR's files (your scenarios) are found as ``callsim
    --config-dir DIR`` finds them."""
    overrides = [*config_dir_overrides(args), *args.set]
    if not any(o.lstrip("+~").startswith("model=") for o in overrides):
        overrides.insert(0, f"model={model or args.model}")
    return compose([*overrides, *patience_overrides(args.patience)])


def add_config_dir(p: argparse.ArgumentParser) -> None:
    """The ``--config-dir DIR`` option of a planning command."""
    p.add_argument("--config-dir", type=Path, metavar="DIR",
                   help="a folder of your own config files (e.g. DIR/scenario/mine.yaml, "
                   "then --set scenario=mine), as for callsim --config-dir")  # fmt: skip


def config_dir_overrides(args: argparse.Namespace) -> list[str]:
    """``hydra.searchpath=[file://DIR]`` for ``--config-dir DIR`` (none without it).
    Raises ConfigError naming ``--config-dir`` for a folder that does not exist."""
    folder = getattr(args, "config_dir", None)
    if folder is None:
        return []
    if not Path(folder).is_dir():
        raise ConfigError(f"--config-dir {str(folder)!r}: no such folder", "config-dir")
    return [f"hydra.searchpath=[file://{Path(folder).resolve()}]"]


def output_folder(out: Path | None, overwrite: bool, kind: str = "plan") -> Path:
    """The output folder, checked before any work: a non-empty existing ``out`` needs
    ``overwrite`` (ConfigError naming ``--out`` otherwise)."""
    if out is None:
        return Path("results") / kind / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {str(out)!r}: exists and is not a folder", "out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ConfigError(f"--out {str(out)!r}: the folder exists and is not empty; give "
                          "another folder or --overwrite to replace it", "out")  # fmt: skip
    return out


def publish(partial: Path, out: Path) -> None:
    """Move the finished ``partial`` folder to ``out``, replacing an old ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    partial.rename(out)
    shutil.rmtree(old, ignore_errors=True)
