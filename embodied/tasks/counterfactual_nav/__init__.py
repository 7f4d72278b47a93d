"""CounterfactualNav: reach a goal among people, changing their walk as little as possible
(``embodied/CounterfactualNav-v0``).

- :mod:`.config`: :class:`CounterfactualNavConfig`, the episode distribution;
- :mod:`.terms`: reward terms, the perturbation and navigation metrics;
- :mod:`.task`: :class:`CounterfactualNavTask`, the task on the shared Task base, with each
  episode's robot-free twin (:class:`~embodied.crowds.shadow.CrowdShadow`).
"""

from embodied.envs.gym_env import TaskEnv
from embodied.tasks.counterfactual_nav.config import (CounterfactualNavConfig,
                                                      CounterfactualNavRewardConfig)
from embodied.tasks.counterfactual_nav.task import CounterfactualNavTask, CounterfactualNavView
from embodied.tasks.registry import register_task


class CounterfactualNavEnv(TaskEnv):
    """Reach a goal across an unseen home among people, perturbing their walk as little as possible.

    ## Description
    A wheeled robot (Fetch) must drive to a goal point at least 5 m away (geodesic) in a
    procedurally generated home where 8 people walk between goals of their own under the
    crowd model (ORCA by default): they see the robot, keep their distance and walk round
    it. Each episode runs beside its exact counterfactual: the same people from the same
    start with the same random streams, the crowd blind to the robot and no robot there.
    People are kinematic and move only under the crowd model, so that twin is the crowd
    stepped on its own (:class:`embodied.crowds.shadow.CrowdShadow`; it equals the World
    rebuilt without the robot to 1e-9). The perturbation (SACSoN's counterfactual
    perturbation, computed exactly) is the people's mean displacement from their twins.

    ## Action Space
    ``Box(-1, 1, (2,), float32)``: forward speed and turn rate of the base, scaled to
    ``max_linear_speed`` (1.0 m/s) and ``max_angular_speed`` (1.0 rad/s), 12 control steps
    a second. Out-of-range values are clipped; NaN or inf raises
    :class:`embodied.errors.ActionError` before anything is simulated.

    ## Observation Space
    A ``Dict``:

    - ``goal_gps_compass`` (2,): distance (m) and bearing (rad, counter-clockwise) to the goal.
    - ``nearby_people`` (4, 5): the nearest people within 5 m, nearest first, each
      ``[present, x forward, y left, vx, vy]`` in the robot frame (m, m/s).
    - ``range_scan`` (64,): planar laser distances over 270 degrees (m, up to 10).
    - ``base_velocity`` (2,): measured forward speed (m/s) and turn rate (rad/s).
    - ``depth`` (128, 128, 1) in ``depth`` mode, from the head camera.

    ## Rewards
    ``progress`` x the geodesic metres gained towards the goal, +10 on arrival, -1 on each
    step the robot touches a person, -0.01 slack, and ``-reward.perturbation`` x the
    people's mean displacement (m) from their twins at that step (0 by default;
    ``perturbation_signal="window"`` uses twins started every 12 steps from the people as
    they are and run 24 steps instead, SACSoN-style). ``info["reward_terms"]`` holds each
    named term; they sum to the reward exactly.

    ## Starting State
    Home ``seed`` of the split (modulo ``config.homes`` when set), the people's avatars of
    the split; the robot on a random navigable point facing a random way, the goal a
    navigable point at least ``min_start_distance`` (5 m) away along the robot's map, the
    people on free navigable points 0.3 m or more clear of the robot. Everything is drawn
    from the reset seed.

    ## Episode End
    Termination within ``success_distance`` (0.5 m, straight line) of the goal; truncation
    after ``max_steps`` (600) steps. ``info["metrics"]`` at the last step: success, spl
    (shortest path from the robot's map), episode_time, path_length, collision and
    collision_steps (robot-person contacts at the end of a step), min_separation
    (between bodies), the shares of steps with the closest person in the intimate,
    personal, social and public zones (HuNavSim's 0.45 / 1.2 / 3.6 m), and the
    counterfactual measures: perturbation (mean over people and steps, m),
    perturbation_max, displaced_share (people displaced more than 0.2 m at some step),
    goal_delay (s, mean over the goals people reached in both runs, while their errands
    agree), goals_compared, goals_reached_change and path_length_change (m per person).

    ## Arguments
    ``gym.make("embodied/CounterfactualNav-v0", split="val", obs_mode="state",
    render_mode=None, config=CounterfactualNavConfig(...), **overrides)``; ``split`` in
    train/val/test (disjoint homes); ``obs_mode`` in state/depth; keyword overrides replace
    fields of ``config`` (``bystanders=12``, ``crowd=CrowdConfig(model="social_force")``).

    ## Version History
    - v0: initial release.
    """


register_task("counterfactual_nav", "embodied/CounterfactualNav-v0", CounterfactualNavConfig,
              CounterfactualNavTask, CounterfactualNavEnv)

__all__ = ["CounterfactualNavConfig", "CounterfactualNavEnv", "CounterfactualNavRewardConfig",
           "CounterfactualNavTask", "CounterfactualNavView"]
