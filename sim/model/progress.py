"""Progress of long work: the one mechanism of callsim's replications and of writing a
results folder.

On a terminal, a tqdm bar on stderr (``desc: k/n [elapsed]`` with the step under way),
gone when the work is done. Without a terminal (a log file, CI), lines of the given
logger, at most every :data:`PROGRESS_EVERY_S` seconds (and, if asked, for the last
step), so a short task adds nothing to a log. Quiet, bar and lines alike, when the
logger was set to show no info lines (:func:`silenced`): a sweep keeps a point's own
lines at debug level (:func:`sim.app.sweep.point_details_at_debug`), and a caller who
silenced the logger gets no bar either.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

__all__ = ["PROGRESS_EVERY_S", "Progress", "silenced"]

#: Without a terminal (a log file, CI), a progress line at most this often, seconds.
PROGRESS_EVERY_S = 10.0


def silenced(logger: logging.Logger) -> bool:
    """Whether ``logger`` was set to show no info lines: the first level set on it or an
    ancestor below the root is above info. The root's own level does not count: Python
    without logging set up (a script, a notebook) has the root at warning, and still
    gets the bar."""
    node: logging.Logger | None = logger
    while node is not None and node is not logging.getLogger():
        if node.level != logging.NOTSET:
            return node.level > logging.INFO
        node = node.parent
    return False


class Progress:
    """Progress over ``total`` steps, shown as the module says.

    ``desc``: the bar's label; ``unit``: what a step is (``rep``, ``file``); ``line``:
    the text of a log line from the steps done, their total, the name of the step
    under way (``""`` if none) and the seconds elapsed; ``last``: a line also when the
    last step is done (whatever the time since the line before); ``every_s``: seconds
    between lines at least (default :data:`PROGRESS_EVERY_S`, read when the work starts). Use as a context manager (the bar closes on leaving).
    """

    def __init__(
        self,
        total: int,
        desc: str,
        unit: str,
        logger: logging.Logger,
        line: Callable[[int, int, str, float], str],
        *,
        last: bool = True,
        every_s: float | None = None,
    ) -> None:
        self.total, self.logger, self.line = total, logger, line
        self.last = last
        self.every_s = PROGRESS_EVERY_S if every_s is None else every_s
        self.quiet = silenced(logger)
        # tqdm's disable=None: a bar only if stderr is a terminal
        self.bar = tqdm(total=total, desc=desc, unit=unit, leave=False,
                        disable=True if self.quiet else None)  # fmt: skip
        self.logged = not self.quiet and bool(self.bar.disable)
        self.done_steps = 0
        self.t0 = self.shown = time.perf_counter()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.close()

    def start(self, name: str) -> None:
        """Step ``name`` begins (the bar shows it; a log line if one is due)."""
        if self.quiet:
            return
        if not self.logged:
            self.bar.set_postfix_str(name, refresh=True)
            return
        self._line(name, due=False)

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps are done."""
        self.done_steps += steps
        if self.quiet:
            return
        if not self.logged:
            self.bar.update(steps)
            return
        self._line("", due=self.last and self.done_steps >= self.total)

    def _line(self, name: str, due: bool) -> None:
        now = time.perf_counter()
        if due or now - self.shown >= self.every_s:
            self.logger.info("%s", self.line(self.done_steps, self.total, name, now - self.t0))
            self.shown = now
