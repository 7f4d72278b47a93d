"""SocialRearrange (`embodied/SocialRearrange-v0`): episode sampling,
Habitat 3.0's reward and stage goals, the skills action mode, partners, forks, bad input."""

import math

import numpy as np
import pytest

from embodied.errors import ActionError, ConfigError, NotFoundError
from embodied.tasks.social_rearrange import SKILLS, SocialRearrangeConfig, SocialRearrangeTask
from embodied.tasks.social_rearrange.partners import PLAN_POP_GOALS
from embodied.tasks.social_rearrange.task import HUMANOID, ROBOT


def task(**config):
    return SocialRearrangeTask(SocialRearrangeConfig(**config), split="val")


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


class Shim:
    """What a privileged policy needs of an env (the task is not registered as one yet)."""

    def __init__(self, t):
        self.task, self.action_space, self.unwrapped = t, t.action_space, self

    def privileged(self):
        return self.task.privileged()

    @property
    def world(self):
        return self.task.world


def test_episodes_start_as_habitat_defines_them():
    t = task()
    for seed in range(3):
        obs, info = t.reset(seed)
        assert t.observation_space.contains(obs)
        assert len(t.targets) == 2 and len({x.goal for x in t.targets}) == 2
        assert all(x.goal != x.start for x in t.targets)
        r, h = t.start_poses[ROBOT], t.start_poses[HUMANOID]
        assert t.scene.navmaps[ROBOT].geodesic_distance((r.x, r.y), (h.x, h.y)) >= 5.0
        assert info["targets"] == [(x.object, x.goal) for x in t.targets]
        assert obs["is_holding"][0] == 0.0 and obs["skill_status"][0] == 1.0
    t.close()


def test_the_humanoid_alone_reaches_each_stage_goal_once_and_the_terms_sum_to_the_reward():
    t = task(action_mode="skills", partner="greedy")
    t.reset(1)
    wait = SKILLS.index("wait")
    stage_total, rewards = 0.0, 0
    while True:
        obs, reward, terminated, truncated, info = t.step(wait)
        terms = info["reward_terms"]
        assert list(terms) == ["slack", "stage_goal", "success", "collision"]
        assert float(sum(terms.values())) == reward
        assert math.isclose(terms["slack"], -0.0005 * info["low_level_steps"])
        stage_total += terms["stage_goal"]
        rewards += 1
        if terminated or truncated:
            break
    m = info["metrics"]
    reached = [m[k] for k in ("obj0_held", "obj0_placed", "obj1_held", "obj1_placed")]
    assert sum(reached) >= 2, "the humanoid alone moved at least one object"
    assert stage_total == 5.0 * sum(reached), "each stage goal pays once"
    assert m["percent_complete"] == 25.0 * sum(reached)
    if m["success"]:
        assert terminated and info["reward_term_sums"]["success"] == 10.0
    assert m["task_offloading"] == 0.0 and m["humanoid_distance"] > 3.0
    t.close()


def test_a_planted_collision_ends_the_episode_with_the_penalty():
    t = task()
    t.reset(0)
    world = t.world
    rx, ry, _ = world.entity(ROBOT).base_pose(world)
    world.entity(HUMANOID).set_pose(world, (rx + 0.3, ry), math.pi)
    _, reward, terminated, _, info = t.step(np.zeros(6, np.float32))
    assert info["collided"] and terminated
    assert info["reward_terms"]["collision"] == -0.5
    assert info["metrics"]["did_collide"] == 1.0 and info["metrics"]["num_collisions"] == 1.0
    t.close()
    t = task(reward=__import__("embodied.tasks.social_rearrange.config", fromlist=["x"])
             .SocialRearrangeRewardConfig(end_on_collide=False))
    t.reset(0)
    world = t.world
    rx, ry, _ = world.entity(ROBOT).base_pose(world)
    world.entity(HUMANOID).set_pose(world, (rx + 0.3, ry), math.pi)
    _, _, terminated, _, info = t.step(np.zeros(6, np.float32))
    assert info["collided"] and not terminated
    t.close()


def test_skill_calls_that_cannot_work_fail_with_a_reason_and_bad_choices_are_refused():
    t = task(action_mode="skills", partner="waiting")
    t.reset(2)
    _, _, _, _, info = t.step(SKILLS.index("place_0"))
    assert info["skill_outcome"] == "failed" and info["skill_reason"] == "not holding an object"
    steps = t.steps
    for bad in (len(SKILLS), -1, 1.5, float("nan"), np.array([1, 2]), "pick_0"):
        with pytest.raises(ActionError):
            t.step(bad)
    assert t.steps == steps
    _, _, _, _, info = t.step(np.int64(SKILLS.index("turn_left")))
    assert info["skill_outcome"] == "done" and info["low_level_steps"] >= 6
    t.close()
    t = task()
    t.reset(2)
    qpos = t.world.data.qpos.copy()
    with pytest.raises(ActionError):
        t.step(np.array([0, 0, 0, np.nan, 0, 0], np.float32))
    assert np.array_equal(t.world.data.qpos, qpos)
    t.close()


def test_unknown_partner_and_config_values_name_the_problem():
    with pytest.raises(NotFoundError, match="plan_pop_3"):
        SocialRearrangeConfig(partner="plan_pop_9")
    with pytest.raises(ConfigError, match="action_mode"):
        SocialRearrangeConfig(action_mode="joints")
    from embodied.scenes.home import HomeConfig

    with pytest.raises(ConfigError, match="free bodies"):
        SocialRearrangeConfig(home=HomeConfig(static_objects=True))


def test_plan_pop_partners_draw_their_goal_among_habitat_options():
    for p, options in PLAN_POP_GOALS.items():
        t = task(partner=f"plan_pop_{p}")
        drawn = {tuple(t.reset(seed)[1]["partner_intent"]) for seed in range(12)}
        assert drawn <= set(options)
        assert len(drawn) == len(options) or p == 4 and len(drawn) >= 3
        t.close()


def test_skills_mode_episodes_fork_and_replay_exactly():
    a, b = task(action_mode="skills"), task(action_mode="skills")
    choices = [SKILLS.index(s) for s in ("nav_to_obj_0", "turn_left", "pick_1", "move_forward",
                                         "wait", "nav_to_goal_1")]
    out_a = [a.reset(4)] + [a.step(c) for c in choices[:2]]
    out_b = [b.reset(4)] + [b.step(c) for c in choices[:2]]
    assert same(out_a, out_b)
    twin = a.fork()
    snap = a.snapshot()
    first = [a.step(c) for c in choices[2:]]
    a.restore(snap)
    again = [a.step(c) for c in choices[2:]]
    forked = [twin.step(c) for c in choices[2:]]
    assert same(first, again) and same(first, forked)
    assert same([b.step(c) for c in choices[2:]], first)
    a.close(), b.close()


def test_the_privileged_expert_and_a_plan_pop_partner_tidy_up_together():
    from embodied.policies import make_policy

    t = task(action_mode="skills", partner="plan_pop_1")
    env = Shim(t)
    policy = make_policy({"name": "rearrange_expert"})
    obs, _ = t.reset(1)
    policy.reset(env, 1)
    while True:
        obs, _, terminated, truncated, info = t.step(policy.act(obs, env))
        if terminated or truncated:
            break
    m = info["metrics"]
    assert m["success"] == 1.0 and m["did_collide"] == 0.0
    assert m["task_offloading"] == 0.5, "the robot moved the object the partner left"
    t.close()
    with pytest.raises(ConfigError, match="action_mode=skills"):
        make_policy({"name": "rearrange_expert"}).reset(Shim(task()), 0)


def test_the_humanoid_alone_runs_in_the_world_without_the_robot():
    t = task(action_mode="skills", partner="greedy")
    t.reset(1)
    before = t.world.data.qpos.copy()
    done, steps = t.solo_run(1)
    assert np.array_equal(t.world.data.qpos, before), "the task's own episode is untouched"
    wait = SKILLS.index("wait")
    while True:
        _, _, terminated, truncated, info = t.step(wait)
        if terminated or truncated:
            break
    with_robot = info["metrics"]
    # in this episode the waiting robot is never in the humanoid's way: the World without
    # it replays the humanoid's episode to the same step
    assert with_robot["success"] == 1.0 and done and steps == with_robot["steps"]
    t.close()


def open_lane(t, length=3.6, room=0.6):
    """A straight lane of ``length`` m with ``room`` m of clearance along it (for the
    robot's map), as (start, middle, end); None if the home has none."""
    navmap = t.scene.navmaps[ROBOT]
    rng = np.random.default_rng(0)
    for p in navmap.sample_navigable(rng, 400):
        for yaw in np.arange(8) * math.pi / 4:
            d = np.array([math.cos(yaw), math.sin(yaw)])
            points = [p + d * s for s in np.linspace(0.0, length, 17)]
            if all(navmap.clearance_at(q) >= room for q in points):
                return tuple(tuple(float(v) for v in q) for q in (points[0], points[8], points[-1]))
    return None


@pytest.mark.parametrize("mover", [ROBOT, HUMANOID])
def test_an_agent_held_up_by_the_other_goes_round_it(mover):
    from embodied.skills.base import Wait
    from embodied.skills.humanoid import WalkTo
    from embodied.skills.robot import NavigateTo

    t = task(partner="waiting")
    for seed in range(10):
        t.reset(seed)
        lane = open_lane(t)
        if lane is not None:
            break
    assert lane is not None, "a home with an open lane"
    world = t.world
    start, middle, end = lane
    other = HUMANOID if mover == ROBOT else ROBOT
    yaw = math.atan2(end[1] - start[1], end[0] - start[0])
    world.entity(mover).set_pose(world, start, yaw)
    world.entity(other).set_pose(world, middle, yaw + math.pi)
    world.entity(HUMANOID).run(Wait())
    skill = NavigateTo(goal=end) if mover == ROBOT else WalkTo(goal=end)
    world.entity(mover).run(skill)
    idle = np.zeros(6, np.float32)
    for _ in range(400):
        _, _, terminated, _, info = t.step(idle)
        assert not info["collided"], "they never touch"
        if not skill.running:
            break
    assert skill.status.value == "done", skill.reason
    assert t.detours[0 if mover == HUMANOID else 1] >= 1, "it planned round the other"
    t.close()


def test_a_person_drives_the_humanoid_only_with_the_keyboard_partner():
    from embodied.hitl.config import teleop_humanoid

    t = task(action_mode="skills")
    with pytest.raises(ConfigError, match="no humanoid a person can drive"):
        teleop_humanoid(t)
    t.close()
    t = task(action_mode="skills", partner="keyboard")
    t.reset(0)
    assert teleop_humanoid(t) == HUMANOID and t.partner.intent == ()
    t.step(SKILLS.index("wait"))
    assert t.world.entity(HUMANOID).behaviour is None, "the partner leaves it to the person"
    t.close()


def test_v0_keeps_its_rules_and_physics_and_v1_is_current():
    import gymnasium as gym

    from embodied.tasks.registry import get_task, task_of_env_id

    entry = get_task("social_rearrange")
    assert entry.env_ids == ("embodied/SocialRearrange-v1", "embodied/SocialRearrange-v0")
    with pytest.warns(DeprecationWarning, match="out of date"):
        old = gym.make("embodied/SocialRearrange-v0", split="val")
    new = gym.make("embodied/SocialRearrange-v1", split="val")
    assert (old.unwrapped.config.revision, old.unwrapped.config.sleep) == (0, False)
    assert (new.unwrapped.config.revision, new.unwrapped.config.sleep) == (1, True)
    assert task_of_env_id("embodied/SocialRearrange-v0") is entry
    old.close(), new.close()


def test_an_oracle_place_that_rolls_off_is_taken_back_and_set_down_elsewhere(monkeypatch):
    from embodied.skills.placement import standing_point
    from embodied.skills.robot import Place

    t = task(action_mode="skills", partner="waiting")
    t.reset(2)
    world, target = t.world, t.targets[0]
    robot = world.entity(ROBOT)
    height, (x0, y0, x1, y1) = target.goal_surface
    centre = (0.5 * (x0 + x1), 0.5 * (y0 + y1))
    here = robot.base_pose(world)[:2]
    stand = standing_point(t.scene.navmaps[ROBOT], here, centre, 1.0)
    robot.set_pose(world, stand, math.atan2(centre[1] - stand[1], centre[0] - stand[0]))
    assert robot.grasp(world, body=world.body_id(target.body))
    off = (x1 + 0.35, centre[1]) if x1 - stand[0] < stand[0] - x0 else (x0 - 0.35, centre[1])
    spots = Place.spots

    def first_off_the_surface(self, *args, **kwargs):
        return [off] + spots(self, *args, **kwargs)

    monkeypatch.setattr(Place, "spots", first_off_the_surface)
    landed = []
    t.on_low_level_step = lambda info: landed.append(info["held_by"][0] == "" and not
                                                     t.privileged().placed[0])
    _, _, _, _, info = t.step(SKILLS.index("place_0"))
    assert info["skill_outcome"] == "done", info["skill_reason"]
    skill = robot.state.skill
    assert skill.tried[0] == off and len(skill.tried) == 2, "set down off the surface, then again"
    assert any(landed), "the first set-down really left the object off its goal"
    assert t.privileged().placed[0] and t.tally.reached[1] >= 0
    t.close()
