"""SocialNav: find and follow a humanoid (``embodied/SocialNav-v1``; ``-v0`` still served).

- :mod:`.config`: :class:`SocialNavConfig`, the episode distribution (Habitat 3.0's defaults);
- :mod:`.terms`: reward terms, the "found" predicate and metrics, as pure functions;
- :mod:`.task`: :class:`SocialNavTask`, the task on the shared Task base.
"""

from embodied.envs.gym_env import TaskEnv
from embodied.tasks.registry import register_task
from embodied.tasks.social_nav.config import V0, SocialNavConfig
from embodied.tasks.social_nav.task import SocialNavTask, SocialNavView


class SocialNavEnv(TaskEnv):
    """Find and follow a humanoid in an unseen home.

    ## Description
    A wheeled mobile manipulator starts more than 5 m (Euclidean) from a humanoid that
    walks between random points of a procedurally generated home. The robot must find the
    humanoid and then follow it at 1-2 m while facing it, without colliding. The task,
    reward, metrics and evaluation protocol follow Habitat 3.0's Social Navigation as
    habitat-lab v0.3.0 implements it (see :mod:`embodied.tasks.social_nav.terms`).

    ## Action Space
    ``Box(-1, 1, (2,), float32)``: forward speed and turn rate of the base, scaled to
    ``max_linear_speed`` (1.0 m/s) and ``max_angular_speed`` (1.0 rad/s); lateral motion
    is off. At 12 control steps a second both agents move up to 0.083 m per step, as in
    Habitat 3.0; the humanoid walks at 1.0 m/s without pausing. Out-of-range values are clipped; an action with NaN or inf raises
    :class:`embodied.errors.ActionError` before anything is simulated.

    ## Observation Space
    A ``Dict``:

    - ``humanoid_gps_compass`` (2,): the humanoid's position in the robot frame
      (x forward, y left, m); absent with ``humanoid_gps=False`` (Habitat 3.0's ablation).
    - ``humanoid_velocity`` (2,), with ``humanoid_velocity=True`` only: the humanoid's
      velocity in the robot frame (m/s).
    - ``humanoid_detector`` (5,): ``[present, x0, y0, x1, y1]``, box normalised to the
      camera image. By default computed from geometry (field of view, occlusion ray);
      ``detector="segmentation"`` uses Habitat 3.0's segmentation image (>= 10 pixels).
    - ``range_scan`` (64,): planar laser distances over 270 degrees (m, up to 10).
    - ``base_velocity`` (2,): measured forward speed (m/s) and turn rate (rad/s).
    - ``depth`` (128, 128, 1) in ``depth``/``rgbd`` modes, ``rgb`` (128, 128, 3) uint8
      in ``rgbd`` mode, from the head camera (``camera="arm"`` for the arm camera).

    ## Rewards
    With ``d`` the geodesic robot-humanoid distance and ``d'`` its previous value:
    +2 if 1 <= d < 2; d - d' if d < 1; d' - d if d >= 2; +3 cos(facing) if d < 3;
    -1 on the step of a collision with the humanoid (a robot-humanoid contact at the end
    of the step, as Habitat 3.0 counts it); -0.01 on each step the robot touches anything
    but the floor; -0.1 slack; +10 on every step once 400 found steps are reached; the
    first step's reward is the slack alone. (v0: -1 per contact step, -0.01 x the
    accumulated collision steps on every step, +10 once, first step 0.)
    ``info["reward_terms"]`` holds each named term; they sum to the reward exactly.

    ## Starting State
    Home ``seed`` of the split (modulo ``config.homes`` when set), a humanoid avatar of the
    split, robot and humanoid on navigable points more than 5 m apart in a straight line
    (50 tries, then the last; v0: >= 5 m geodesic, 64 tries, then the farthest) with
    random headings; the humanoid starts wandering. Everything is drawn from the reset seed.

    ## Episode End
    Termination at the first robot-humanoid collision (v0: none); truncation after
    ``max_steps`` (1500) steps; success does not end the episode. ``info["metrics"]`` at
    the last step holds finding_success, finding_spl (l* from Habitat 3.0's turn-then-go
    oracle), following_rate (found steps / (1500 - l*), also when a collision ended the
    episode early), collision, success (>= 400 found steps), backup_ratio and yield_ratio
    (all steps within 1.5 m, as Habitat 3.0 counts them), mean_follow_distance,
    min_human_distance,
    intimate_zone_ratio, personal_zone_ratio, stuck_steps (steps commanded forward faster
    than 0.3 m/s with the base moving slower than 0.05 m/s) and more.

    ## Arguments
    ``gym.make("embodied/SocialNav-v1", split="val", obs_mode="state", render_mode=None,
    config=SocialNavConfig(...), **overrides)``; ``split`` in train/val/test (disjoint
    homes); ``obs_mode`` in state/depth/rgbd; ``render_mode`` in rgb_array/human; keyword
    overrides replace fields of ``config``.

    ## Version History
    - v1: Habitat 3.0's evaluation protocol (habitat-lab v0.3.0): collisions end the
      episode, its oracle l*, both agents 0.083 m per step (12 Hz control, humanoid at
      1.0 m/s without pauses), its count penalty and success bonus, backup/yield over all
      steps within 1.5 m (Euclidean), Euclidean starts. ``oracle_speed=2`` gives HEAD's
      oracle.
    - v0: initial release (``protocol="v0"``, 30 Hz, humanoid 0.6-1.1 m/s with 0-2 s
      pauses); later the ``stuck_steps`` metric was added (episodes, rewards and the other
      metrics unchanged). Its docstring said collisions do not end Habitat 3.0's episode
      and that its starts are 5 m apart geodesically: both wrong (they do; Euclidean).
    """


register_task("social_nav", "embodied/SocialNav-v1", SocialNavConfig, SocialNavTask, SocialNavEnv,
              earlier={"embodied/SocialNav-v0": V0})

__all__ = ["SocialNavConfig", "SocialNavEnv", "SocialNavTask", "SocialNavView"]
