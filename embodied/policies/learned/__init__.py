"""Learned policies: SB3 algorithms, checkpoints (:mod:`.sb3`) and the feature extractor of
Dict observations (:mod:`.extractors`)."""

from embodied.policies.learned import sb3  # noqa: F401  (registers "ppo")
