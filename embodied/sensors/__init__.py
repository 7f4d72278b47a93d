"""Sensors mounted on agents by name: cameras, range scan, proprioception, relational.

    from embodied.sensors import SensorSuite, RangeScan, HeadDepth, HumanoidGPSCompass
    suite = SensorSuite("robot", [HeadDepth(128, 128), RangeScan(64), HumanoidGPSCompass()])
    obs = suite.read(world)            # works on world.fork() too

Modules: :mod:`.base` (Sensor, SensorSuite, RenderCache), :mod:`.cameras`,
:mod:`.range_scan`, :mod:`.proprio`, :mod:`.relative` (goal / other-agent GPS+compass,
humanoid detectors, nearby people).
"""

from embodied.sensors.base import COSTS, RenderCache, Sensor, SensorSuite
from embodied.sensors.cameras import (ArmDepth, ArmRGB, CameraDepth, CameraRGB,
                                      CameraSegmentation, HeadDepth, HeadRGB, HeadSemantic)
from embodied.sensors.proprio import BaseVelocity, IsHolding, JointPositions, JointVelocities
from embodied.sensors.range_scan import RangeScan, ScanPlane
from embodied.sensors.relative import (GeometricHumanoidDetector, GoalGPSCompass,
                                       HumanoidDetector, HumanoidGPSCompass, HumanoidVelocity,
                                       NearbyPeople)


def default_sensors(width: int = 128, height: int = 128) -> list[Sensor]:
    """The full sensor set of a mobile manipulator in Habitat 3.0's tasks."""
    return [HeadRGB(width, height), HeadDepth(width, height), HeadSemantic(width, height),
            ArmRGB(width, height), ArmDepth(width, height), RangeScan(),
            GoalGPSCompass(), HumanoidGPSCompass(), HumanoidDetector(width, height, "head", "humanoid_detector"),
            JointPositions(), JointVelocities(), IsHolding(), BaseVelocity()]


__all__ = ["COSTS", "ArmDepth", "ArmRGB", "BaseVelocity", "CameraDepth", "CameraRGB",
           "CameraSegmentation", "GeometricHumanoidDetector", "GoalGPSCompass", "HeadDepth",
           "HeadRGB", "HeadSemantic", "HumanoidDetector", "HumanoidGPSCompass", "HumanoidVelocity", "IsHolding",
           "JointPositions", "JointVelocities", "NearbyPeople", "RangeScan", "RenderCache", "ScanPlane", "Sensor",
           "SensorSuite", "default_sensors"]
