"""The outbound test centre, shared by the tests of campaigns in the engine
(tests/queue/test_outbound_desk.py), with the agent layer
(tests/queue/test_outbound_workforce.py) and in the report
(tests/report/test_channels_report.py): inbound ``calls`` and an outbound ``sales``
campaign; a ``phone`` group of 14 agents on calls only and 6 ``blended`` agents who dial
when more than 2 of them are idle and no call waits. 1,500 calls a day from 08:00 to
18:00 in hourly intervals.

Each call returns a fresh copy: a test may change it freely.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["CAMPAIGN", "outbound_centre"]

#: The campaign (``call_types[1].outbound``): a list of 1,500 records and 400 more a day,
#: 35% reached, 25 s per unreached dial, retried after 30 min, 3 tries at most.
CAMPAIGN: dict[str, Any] = {"list_size": 1500, "records_per_day": 400, "reach_probability": 0.35,
                            "unreached_s": 25.0, "retry_delay_s": 1800.0, "max_tries": 3}  # fmt: skip

_CENTRE: dict[str, Any] = {
    "run": {"seed": 11},
    "center": {"volume_per_day": 1500.0, "open_time": "08:00", "close_time": "18:00",
               "interval_min": 60},
    "call_types": [
        {"name": "calls", "share": 1.0},
        {"name": "sales", "channel": "outbound", "priority": 9,
         "talk": {"kind": "lognormal", "mean_s": 240.0, "cv": 0.8},
         "acw": {"kind": "exponential", "mean_s": 45.0}, "outbound": CAMPAIGN},
    ],
    "agent_groups": [
        {"name": "phone", "agents": 14, "skills": {"calls": 1}},
        {"name": "blended", "agents": 6, "skills": {"calls": 2, "sales": 1},
         "reserve_idle": 2},
    ],
}  # fmt: skip


def outbound_centre(days: int, *layers: dict[str, Any],
                    campaign: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """The centre over ``days`` days. Each of ``layers`` (``{"workforce": {...},
    "agent_groups": [...]}``), in order, merges its sections into the centre's: one level
    deep where both are mappings, else replacing them; ``campaign`` updates the
    campaign's keys."""
    cfg = copy.deepcopy(_CENTRE)
    cfg["run"]["days"] = days
    cfg["call_types"][1]["outbound"].update(campaign or {})
    for layer in copy.deepcopy(layers):
        for key, value in layer.items():
            old = cfg.get(key)
            cfg[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    return cfg
