"""Policies behind one small interface: baselines, experts, learned (SB3) policies and
planners. Every kind registers in :mod:`.registry`; :func:`make_policy` builds one from
its config.

- :mod:`.base`: :class:`Policy`, :class:`RandomPolicy`, the privileged view experts read;
- :mod:`.experts`: privileged scripted experts (``heuristic``: SocialNav's);
- :mod:`.learned`: SB3 policies, checkpoints and feature extractors (``ppo``);
- :mod:`.planners`: the LLM planner (``llm``) and its model backends.
"""

from embodied.policies import experts as _experts  # noqa: F401  (registers the experts)
from embodied.policies import learned as _learned  # noqa: F401  (registers the learned kinds)
from embodied.policies import planners as _planners  # noqa: F401  (registers the planners)
from embodied.policies.base import Policy, PolicyAbort, RandomPolicy, privileged_view
from embodied.policies.registry import POLICIES, make_policy, register_policy

__all__ = ["POLICIES", "Policy", "PolicyAbort", "RandomPolicy", "make_policy", "privileged_view",
           "register_policy"]
