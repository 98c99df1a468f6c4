"""From call logs to a model: readers of call logs (:mod:`sim.fit.logs` generic CSV,
:mod:`sim.fit.bank` the Anonymous Bank format, :mod:`sim.fit.counts` interval counts) and
the estimators of a centre's laws: arrivals from counts (:mod:`sim.fit.arrivals`), handle
time (:mod:`sim.fit.handle`), patience with censoring (:mod:`sim.fit.patience`, lifelines),
redials and repeats (:mod:`sim.fit.repeats`), agents on duty (:mod:`sim.fit.agents`); the
whole fit (:mod:`sim.fit.model`), the scenario it writes (:mod:`sim.fit.scenario`), its
report (:mod:`sim.fit.report`, :mod:`sim.fit.figures`), replays of a recorded period
(:mod:`sim.fit.replay`) and the ``callsim fit`` command (:mod:`sim.fit.cli`).

May import: everything but :mod:`sim.app` (which dispatches ``callsim fit`` to it).
"""

__all__: list[str] = []
