"""Hydra launcher plugin: ``--multirun`` sweeps of embodied's scripts as Ray tasks."""
