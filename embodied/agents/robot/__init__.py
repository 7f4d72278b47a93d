"""Mobile-manipulator robots: embodiments, controllers, arm IK and grasping::

    from embodied.agents.robot import make_robot
    from embodied.sensors import SensorSuite, default_sensors
    robot = make_robot("fetch", name="robot", grasp_mode="oracle")   # or "spot"
    world = home.make_world([robot])
    robot.apply_action(world, {"base": [0.5, 0.0], "gripper": [1.0]})
    world.step()
    obs = SensorSuite("robot", default_sensors(128, 128)).read(world)
"""

from embodied.agents.robot import fetch as _fetch  # noqa: F401  (registers "fetch")
from embodied.agents.robot import spot as _spot  # noqa: F401  (registers "spot")
from embodied.agents.robot.config import GRASP_MODES, RobotConfig
from embodied.agents.robot.embodiment import (EMBODIMENTS, Embodiment, EmbodimentConstants,
                                              get_embodiment, register_embodiment)
from embodied.agents.robot.robot import Robot, RobotState, make_robot

__all__ = ["EMBODIMENTS", "Embodiment", "EmbodimentConstants", "GRASP_MODES", "Robot",
           "RobotConfig", "RobotState", "get_embodiment", "make_robot", "register_embodiment"]
