"""The robot's typed configuration."""

from __future__ import annotations

from dataclasses import dataclass

from embodied.errors import ConfigError, check_choice, check_range

GRASP_MODES = ("physics", "oracle")


@dataclass(frozen=True)
class RobotConfig:
    """Controller settings of a :class:`~embodied.agents.robot.robot.Robot`.

    Args:
        grasp_mode: ``"physics"`` (fingers close, friction holds the object) or
            ``"oracle"`` (the nearest object within ``grasp_radius`` of the grasp site snaps
            into the hand; release sets it down at rest on the surface below).
        grasp_radius: oracle grasp reach (m), measured from the grasp site to the object's
            centre of mass.
        graspable_prefixes: name prefixes of the free bodies that can be grasped.
        max_linear_speed, max_angular_speed: base velocity limits (m/s, rad/s).
        max_ee_step, max_ee_rotation: end-effector delta limits per command (m, rad).
        max_joint_step: arm joint delta limit per command (rad).
        max_torso_step: torso lift delta limit per command (m).
        ik_iterations, ik_damping, ik_tolerance: damped least-squares IK settings.
        ik_orientation_weight: weight of the orientation error against the position error
            (metres per radian); 0 solves for position only.
    """

    grasp_mode: str = "physics"
    grasp_radius: float = 0.15
    graspable_prefixes: tuple[str, ...] = ("obj/",)
    max_linear_speed: float = 1.0
    max_angular_speed: float = 1.5
    max_ee_step: float = 0.05
    max_ee_rotation: float = 0.25
    max_joint_step: float = 0.15
    max_torso_step: float = 0.03
    ik_iterations: int = 25
    ik_damping: float = 0.02
    ik_tolerance: float = 2e-4
    ik_orientation_weight: float = 0.3

    def __post_init__(self):
        check_choice("grasp_mode", self.grasp_mode, GRASP_MODES)
        if isinstance(self.graspable_prefixes, str) or not all(
                isinstance(p, str) and p for p in self.graspable_prefixes):
            raise ConfigError("graspable_prefixes", self.graspable_prefixes,
                              reason="must be a tuple of non-empty name prefixes")
        for name, low, high in (("grasp_radius", 0.01, 2.0), ("max_linear_speed", 0.0, 1.5),
                                ("max_angular_speed", 0.0, 3.0), ("max_ee_step", 1e-4, 0.5),
                                ("max_ee_rotation", 1e-4, 3.2), ("max_joint_step", 1e-4, 3.2),
                                ("max_torso_step", 1e-4, 0.4), ("ik_damping", 1e-6, 1.0),
                                ("ik_tolerance", 1e-7, 0.05), ("ik_orientation_weight", 0.0, 10.0)):
            check_range(name, getattr(self, name), low, high)
        check_range("ik_iterations", self.ik_iterations, 1, 500, integer=True)
