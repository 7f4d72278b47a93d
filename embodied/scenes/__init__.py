"""Procedural homes, their splits, mesh import and the navigation map.

>>> from embodied.scenes import generate_home, NavMap
>>> home = generate_home(3, split="val")
>>> world = home.make_world()
>>> navmap = NavMap.from_model(world.model, world.data, agent_radius=0.3, rooms=home.room_rects())
"""

from embodied.scenes.home import Home, HomeConfig, generate_home, object_body_name
from embodied.scenes.navmap import NavMap
from embodied.scenes.splits import SPLITS

__all__ = ["Home", "HomeConfig", "NavMap", "SPLITS", "generate_home", "object_body_name"]
