"""The vocabulary every other layer shares: the config schema (dataclasses), the
timetable (days, opening hours, intervals), the random-number streams, the call
vocabulary (outcomes, sources, ratings), ``ConfigError`` and the check helpers that
every rule uses.

May import: nothing of callsim (numpy and the standard library only).
"""

__all__: list[str] = []
