"""SocialRearrange: a robot and a humanoid tidy a home together
(``embodied/SocialRearrange-v1``; ``-v0`` still served, see the env's version history).

- :mod:`.config`: :class:`SocialRearrangeConfig` (Habitat 3.0's defaults);
- :mod:`.terms`: stage goals, reward terms and metrics;
- :mod:`.partners`: the humanoid's partner policies (Plan-Pop p, greedy, waiting);
- :mod:`.task`: :class:`SocialRearrangeTask`, the task on the shared Task base.
"""

from embodied.envs.gym_env import TaskEnv
from embodied.tasks.registry import register_task
from embodied.tasks.social_rearrange.config import SocialRearrangeConfig
from embodied.tasks.social_rearrange.partners import PARTNERS, make_partner
from embodied.tasks.social_rearrange.task import (SKILLS, SocialRearrangeTask,
                                                  SocialRearrangeView)


class SocialRearrangeEnv(TaskEnv):
    """A robot and a humanoid partner move two objects to their goal receptacles.

    ## Description
    An unseen procedurally generated home; two target objects on receptacles, each with
    a goal receptacle (in another room when there is one). A wheeled mobile manipulator
    and a humanoid start at least 5 m apart (geodesic). The humanoid is driven by its
    partner policy (``partner``: Plan-Pop 1-4 as Habitat 3.0 defines them, ``greedy``,
    ``waiting``), walking, reaching, picking, carrying and placing through the skill
    layer; the action drives the robot. The task, reward and metrics follow Habitat
    3.0's Social Rearrangement. Neither agent walks into the other: the humanoid's steps
    keep out of the robot's footprint and hand, the robot's base stops short of the
    humanoid (``safety_clearance``), an agent held up by the other plans round it, and a
    humanoid the robot cannot get round steps out of its way.

    ## Action Space
    ``action_mode="low_level"`` (default): ``Box(-1, 1, (6,), float32)``: base forward
    speed and turn rate (scaled to 1.0 m/s and 1.5 rad/s), end-effector motion (dx, dy,
    dz in the base frame, scaled to the robot's ``max_ee_step``) and gripper (> 0.5: the
    oracle grasps the nearest object within the grasp radius; < -0.5: release).
    ``action_mode="skills"``: ``Discrete(13)`` over Habitat 3.0's grounded skills
    (:data:`SKILLS`: nav_to_obj_i, nav_to_goal_i, pick_i, place_i, wait, turn_left,
    turn_right, move_forward, move_backward); one env step runs the chosen skill until it
    ends, fails or the humanoid enters the 2.0 m x 1.5 m ellipse of the robot's base
    frame. Picks and places are Habitat 3.0's oracle within 1.3 m, the arm rising to its
    carrying pose (``arm_first=True``: the arm's own pick and place first). A call that
    cannot work (a place with nothing in hand) fails with a reason in ``info``. Invalid
    actions (NaN, inf, wrong shape, out-of-range choices) raise
    :class:`embodied.errors.ActionError` before anything is simulated.

    ## Observation Space
    A ``Dict``: ``is_holding`` (1,); ``obj_start_sensor`` / ``obj_goal_sensor`` (6,):
    each object's and each goal's position in the robot's base frame (x forward, y left,
    z up); ``obj_start_gps_compass`` / ``obj_goal_gps_compass`` (4,): their distance and
    bearing; ``other_agent_gps`` (2,): the humanoid in the robot frame;
    ``agents_within_threshold`` (1,); ``skill_status`` (4,): one-hot none / done / failed
    / interrupted of the last skill; ``base_velocity`` (2,); ``depth`` (128, 128, 1) in
    ``depth`` mode.

    ## Rewards
    -0.0005 slack per step, +5 the first time each of the four stage goals holds (object 0
    held, object 0 on its goal, object 1 held, object 1 on its goal), +10 on success, and
    -0.5 for a robot-humanoid contact at the end of a step (which ends the episode with
    ``reward.end_on_collide``, the default). ``info["reward_terms"]`` holds the named
    terms (summed over the low-level steps of a skill); they sum to the reward.

    ## Starting State
    Home ``seed`` of the split, a humanoid avatar of the split, start poses >= 5 m apart,
    the targets and the partner's plan, all drawn from the reset seed.

    ## Episode End
    Termination on success (both objects resting on their goals, neither agent holding
    anything) or on a collision (``end_on_collide``); truncation after 750 steps (12 Hz:
    0.083 m per step at 1 m/s). ``info["metrics"]`` at the end: success, the four stage
    goals, percent_complete, steps, did_collide, num_collisions, task_offloading (share
    of the two objects the robot put on their goals), distance walked and idle steps per
    agent, detours; ``scripts/evaluate.py`` adds relative_efficiency (steps the humanoid
    needs alone, in the World without the robot, over the steps taken, x100).

    ## Arguments
    ``gym.make("embodied/SocialRearrange-v1", split="val", obs_mode="state",
    config=SocialRearrangeConfig(...), **overrides)``; ``split`` in train/val/test;
    ``obs_mode`` in state/depth; keyword overrides (``partner="plan_pop_2"``,
    ``action_mode="skills"``) replace fields of ``config``.

    ## Version History
    - v1: resting objects sleep (MuJoCo island sleeping: an object at rest costs nothing
      until something touches or moves it; ~1.8x the steps per second); targets must be within 1 m of a place each agent can stand
      (v0 accepted the nearest navigable point however far); a robot backing off or
      turning next to the humanoid counts as held up, and a humanoid stepping out of
      its way picks a spot it can reach without passing the robot; a humanoid held up
      on its way to pick or place chooses where to stand again, clear of the robot, and
      its partner retries a failed pick or place (3 per episode); the oracle place
      tries other sides of a surface, waits for the object to rest and sets it down
      again elsewhere if it rolled off. Tables re-run (README).
    - v0: initial release (``revision=0, sleep=False``; bit-identical, tests/golden).
    """


#: what v0 pins of today's config (its episodes stay bit-identical: tests/golden)
V0 = {"revision": 0, "sleep": False}

register_task("social_rearrange", "embodied/SocialRearrange-v1", SocialRearrangeConfig,
              SocialRearrangeTask, SocialRearrangeEnv,
              earlier={"embodied/SocialRearrange-v0": V0})

__all__ = ["PARTNERS", "SKILLS", "SocialRearrangeConfig", "SocialRearrangeEnv",
           "SocialRearrangeTask", "SocialRearrangeView", "make_partner"]
