"""Gymnasium adapters of the tasks (registered on ``import embodied``)."""
