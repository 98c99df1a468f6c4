"""Results of one replication, as returned by :func:`sim.simulate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.core.schema import Config

__all__ = ["Results"]


@dataclass
class Results:
    """The tables and KPIs of one replication.

    ``calls``, ``intervals`` and ``days`` follow the fixed schemas of
    :data:`sim.outputs.metrics.CALL_COLUMNS`, :data:`sim.outputs.metrics.INTERVAL_COLUMNS` and
    :data:`sim.outputs.days.DAY_COLUMNS`; ``agents`` (one row per employed agent and day, only
    with ``workforce.enabled``) :data:`sim.workforce.agents.AGENT_COLUMNS`; ``summary`` has the keys of
    :data:`sim.outputs.metrics.SUMMARY_KEYS`.

    Per call type and per agent group (tidy tables with a ``call_type`` /
    ``agent_group`` column; one type and one group without ``call_types`` /
    ``agent_groups``): ``intervals_by_type``
    (:data:`sim.outputs.call_types.TYPE_INTERVAL_COLUMNS`), ``summary_by_type``
    (:data:`~sim.outputs.call_types.TYPE_SUMMARY_COLUMNS`, one row per type),
    ``intervals_by_group`` (:data:`sim.outputs.agent_groups.GROUP_INTERVAL_COLUMNS`) and
    ``summary_by_group`` (:data:`~sim.outputs.agent_groups.GROUP_SUMMARY_COLUMNS`).
    """

    config: Config
    replication: int
    calls: pd.DataFrame
    intervals: pd.DataFrame
    days: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    agents: pd.DataFrame = field(default_factory=pd.DataFrame)  # sim.workforce.agents.AGENT_COLUMNS
    intervals_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    intervals_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: one row per callback offer (:data:`sim.outputs.callbacks.CALLBACK_COLUMNS`;
    #: empty without ``callbacks.enabled``)
    callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the callback KPIs (:data:`sim.outputs.callbacks.CALLBACK_KEYS`; NaN without callbacks)
    callback_summary: dict[str, Any] = field(default_factory=dict)
    #: the numerator and denominator of each ratio KPI of ``summary`` and
    #: ``callback_summary`` (KPI name -> (numerator, denominator); no callback KPI without
    #: callbacks): what the ratio estimator pools over replications
    #: (:func:`sim.outputs.confidence.ratio_estimate`)
    ratio_parts: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: the same per call type and per agent group, long form (``call_type`` /
    #: ``agent_group``, ``kpi``, ``numerator``, ``denominator``:
    #: :func:`sim.outputs.confidence.parts_table`)
    ratio_parts_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratio_parts_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Results(replication={self.replication}, offered={s.get('offered')}, "
            f"service_level={s.get('service_level', float('nan')):.3f}, "
            f"asa_s={s.get('asa_s', float('nan')):.1f}, "
            f"abandon_rate={s.get('abandon_rate', float('nan')):.3f})"
        )
