"""Privileged scripted experts (they read the simulation through the task's privileged
view): :mod:`.social_nav` (``heuristic``)."""

from embodied.policies.experts import social_nav  # noqa: F401  (registers "heuristic")
