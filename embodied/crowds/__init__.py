"""Crowds: many humanoids walking to their own goals under a pedestrian model that
reacts to the other people and to the robot.

- :mod:`.models`: what a local avoidance model sees (:class:`~.models.Agents`) and returns;
- :mod:`.orca`: ORCA through ``pyrvo``; :mod:`.social_force`: the social force model.
"""
