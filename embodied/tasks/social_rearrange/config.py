"""The typed config of SocialRearrange: everything that defines its episode distribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from embodied.errors import ConfigError, check_choice, check_range
from embodied.scenes.home import HomeConfig
from embodied.tasks.episodes import check_episode_fields

OBS_MODES = ("state", "depth")
ACTION_MODES = ("low_level", "skills")
CAMERAS = ("head", "arm")


@dataclass(frozen=True)
class SocialRearrangeRewardConfig:
    """Habitat 3.0's Social Rearrangement reward (``multi_agent_tidy_house``)."""

    slack: float = -0.0005
    stage_goal: float = 5.0
    success: float = 10.0
    collision: float = -0.5
    end_on_collide: bool = True

    def __post_init__(self):
        for name in ("slack", "stage_goal", "success", "collision"):
            check_range(f"reward.{name}", getattr(self, name), -1e6, 1e6)
        if not isinstance(self.end_on_collide, bool):
            raise ConfigError("reward.end_on_collide", self.end_on_collide, (True, False))


@dataclass(frozen=True)
class SocialRearrangeConfig:
    """Everything that defines a SocialRearrange episode distribution (defaults: Habitat
    3.0's, with a control period giving its ~0.083 m per step at walking speed).

    Args:
        max_steps: control steps per episode (750).
        physics_dt, control_dt: physics and control periods (120 Hz / 12 Hz: at 1 m/s an
            agent moves 0.083 m per step, as Habitat 3.0's agents do at most).
        min_start_distance: geodesic robot-humanoid distance at the start (m).
        robot: registered robot embodiment.
        max_linear_speed, max_angular_speed: the robot's base speeds (what +-1 maps to).
        humanoid_radius: the humanoid's footprint on its navigation map (m).
        humanoid_speed: the partner's walking speed (m/s).
        action_mode: ``low_level`` (base velocity, end-effector motion, gripper) or
            ``skills`` (a Discrete choice over the grounded skills; one env step runs the
            chosen skill until it ends, fails or is interrupted).
        partner: the humanoid's partner policy (``plan_pop_1`` ... ``plan_pop_4``,
            ``greedy``, ``waiting``, ``learned``; see :mod:`.partners`).
        partner_checkpoint: the learned humanoid of ``partner="learned"``: a checkpoint
            path, or one relative to the shipped ``policies/`` folder (read only then).
        interrupt_ellipse: semi-axes (m, ahead and sideways) of the ellipse in the robot's
            base frame whose entering by the humanoid interrupts the running skill
            (``agents_within_threshold``).
        wait_seconds: how long the ``wait`` skill stands still.
        motion_seconds: how long a motion primitive (turn/move) drives the base.
        snap_reach: the reach (m from the robot's base centre) of Habitat 3.0's oracle
            pick and place (the arm rises to its carrying pose as the object snaps into
            the hand; a placed object is set down at rest on a free point of the surface).
        arm_first: the robot's arm really picks and places first (IK, collision-checked
            arm paths, slower), the oracle only where that fails.
        safety_clearance: the robot's base does not drive towards the humanoid standing
            within this distance (m, body to body) ahead or behind; 0 turns the safety stop
            off. The humanoid's own steps never enter the robot's footprint.
        revision: the version of the task's own rules (how the agents go round each
            other, when a skill counts as done): 1, today's; 0 reproduces
            ``SocialRearrange-v0`` exactly (that env id sets it, with ``sleep=False``).
        sleep: objects at rest sleep (MuJoCo's island sleeping) until something touches,
            pushes or moves them: no work is spent on still objects
            (v0: off).
        image_size, camera, max_depth: the depth image of the ``depth`` observation mode.
        homes: number of distinct homes episodes cycle through (0: a new home per seed).
        home, reward: nested configs (objects are free bodies: they are carried).
    """

    max_steps: int = 750
    physics_dt: float = 1.0 / 120.0
    control_dt: float = 1.0 / 12.0
    min_start_distance: float = 5.0
    robot: str = "fetch"
    max_linear_speed: float = 1.0
    max_angular_speed: float = 1.5
    humanoid_radius: float = 0.25
    humanoid_speed: float = 1.0
    action_mode: str = "low_level"
    partner: str = "plan_pop_3"
    partner_checkpoint: str | None = None
    interrupt_ellipse: tuple[float, float] = (2.0, 1.5)
    wait_seconds: float = 1.0
    motion_seconds: float = 0.5
    snap_reach: float = 1.3
    arm_first: bool = False
    safety_clearance: float = 0.3
    revision: int = 1
    sleep: bool = True
    image_size: int = 128
    camera: str = "head"
    max_depth: float = 10.0
    homes: int = 0
    home: HomeConfig = field(default_factory=HomeConfig)
    reward: SocialRearrangeRewardConfig = field(default_factory=SocialRearrangeRewardConfig)

    def __post_init__(self):
        from embodied.tasks.social_rearrange.partners import check_partner

        check_episode_fields(self)
        check_range("humanoid_speed", self.humanoid_speed, 0.1, 1.5)
        check_choice("action_mode", self.action_mode, ACTION_MODES)
        check_partner(self.partner)
        if self.partner == "learned" and not self.partner_checkpoint:
            raise ConfigError("partner_checkpoint", self.partner_checkpoint,
                              reason="partner=learned needs the learned humanoid's checkpoint")
        try:
            ahead, side = (float(v) for v in self.interrupt_ellipse)
        except (TypeError, ValueError):
            raise ConfigError("interrupt_ellipse", self.interrupt_ellipse,
                              reason="must be a pair (ahead, sideways) of metres") from None
        check_range("interrupt_ellipse[0]", ahead, 0.1, 20.0)
        check_range("interrupt_ellipse[1]", side, 0.1, 20.0)
        object.__setattr__(self, "interrupt_ellipse", (ahead, side))
        check_range("wait_seconds", self.wait_seconds, 0.0, 60.0)
        check_range("motion_seconds", self.motion_seconds, 0.0, 10.0)
        check_range("snap_reach", self.snap_reach, 0.0, 3.0)
        if not isinstance(self.arm_first, bool):
            raise ConfigError("arm_first", self.arm_first, (True, False))
        check_range("safety_clearance", self.safety_clearance, 0.0, 5.0)
        check_range("revision", self.revision, 0, 1, integer=True)
        if not isinstance(self.sleep, bool):
            raise ConfigError("sleep", self.sleep, (True, False))
        check_range("image_size", self.image_size, 16, 1024, integer=True)
        check_choice("camera", self.camera, CAMERAS)
        check_range("max_depth", self.max_depth, 0.1, 100.0)
        check_range("homes", self.homes, 0, 10_000, integer=True)
        if not isinstance(self.home, HomeConfig):
            raise ConfigError("home", self.home, reason="must be a HomeConfig")
        if self.home.static_objects:
            raise ConfigError("home.static_objects", True, reason="SocialRearrange moves objects: "
                              "they must be free bodies")
        if not isinstance(self.reward, SocialRearrangeRewardConfig):
            raise ConfigError("reward", self.reward, reason="must be a SocialRearrangeRewardConfig")
