"""Privileged scripted experts (they read the simulation through the task's privileged
view): :mod:`.social_nav` (``heuristic``; and ``errand_walker``, the SocialNav humanoid's
teacher, which reads only its observation), :mod:`.social_rearrange` (``rearrange_expert``,
``rearrange_inferring``, ``rearrange_none``), :mod:`.counterfactual_nav` (``goal_path``,
``orca_robot``)."""

from embodied.policies.experts import counterfactual_nav  # noqa: F401  (registers "goal_path", "orca_robot")
from embodied.policies.experts import social_nav  # noqa: F401  (registers "heuristic", "errand_walker")
from embodied.policies.experts import social_rearrange  # noqa: F401  (registers "rearrange_*")
