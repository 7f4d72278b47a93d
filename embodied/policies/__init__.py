"""Policies: baselines, learned (SB3) policies and planners, behind one small interface."""

from embodied.policies.base import Policy, RandomPolicy

__all__ = ["Policy", "RandomPolicy"]
