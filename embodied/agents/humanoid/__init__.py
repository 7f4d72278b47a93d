"""Kinematic humanoid avatars: diverse bodies, planted-foot walking, IK reaching, behaviours.

Quick start::

    from embodied.agents.humanoid import Humanoid
    from embodied.skills.humanoid import Wander
    human = Humanoid("human0", "avatar_03", pos=(1.0, 2.0, 0.0), navmap=navmap)
    world = home.make_world([human]); world.reset()
    human.run(Wander())                     # or human.walk(1.0, 0.0), human.reach(p) ...
    world.step(100)

Modules: :mod:`.body` (shape parameters and the models built from them), :mod:`.avatars`
(the registry and splits), :mod:`.gait` (walking), :mod:`.reach` (IK), :mod:`.humanoid`
(the World entity) and :mod:`.constants` (names). What humanoids do (walk to, pick,
place, wander ...) is in :mod:`embodied.skills.humanoid`.
"""

from embodied.agents.humanoid import constants
from embodied.agents.humanoid.avatars import AVATARS, SPLITS, Avatar, get_avatar, sample_avatar
from embodied.agents.humanoid.body import Appearance, BodyShape
from embodied.agents.humanoid.gait import GaitConfig
from embodied.agents.humanoid.humanoid import Humanoid, HumanoidConfig
from embodied.agents.humanoid.reach import ReachConfig, ReachStatus

__all__ = ["Humanoid", "HumanoidConfig", "GaitConfig", "ReachConfig", "ReachStatus", "Avatar",
           "AVATARS", "SPLITS", "get_avatar", "sample_avatar", "BodyShape", "Appearance",
           "constants"]
