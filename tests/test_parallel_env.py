"""PettingZoo's parallel API over SocialNav and SocialRearrange: the API and seed tests,
bit-identical replays, the humanoid obeying its policy, skills-mode decisions, bad input."""

import math
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import parallel_api_test, parallel_seed_test  # noqa: E402

import embodied  # noqa: E402,F401
from embodied.envs import parallel_env  # noqa: E402
from embodied.errors import ActionError, ConfigError  # noqa: E402

CASES = {
    "social_nav": dict(max_steps=50),
    "social_rearrange": dict(max_steps=50),
    "social_rearrange_skills": dict(max_steps=240, action_mode="skills"),
}


def make(case: str):
    return parallel_env(case.removesuffix("_skills"), split="val", **CASES[case])


@pytest.mark.parametrize("case", sorted(CASES))
def test_pettingzoo_api_and_seed_tests(case):
    parallel_api_test(make(case), num_cycles=30)
    parallel_seed_test(lambda: make(case), num_cycles=20)


def rollout(case: str, seed: int, steps: int) -> list:
    """Observations and rewards of ``steps`` steps of seeded random actions."""
    env = make(case)
    obs, _ = env.reset(seed=seed)
    for agent in env.possible_agents:
        env.action_space(agent).seed(seed)
    out = [obs]
    for _ in range(steps):
        if not env.agents:
            break
        actions = {a: env.action_space(a).sample() for a in env.agents}
        obs, rewards, *_ = env.step(actions)
        out.append((obs, rewards))
    env.close()
    return out


def digest(trace) -> str:
    """A hash of the values in ``trace`` (nested dicts, tuples, arrays, numbers), by content
    only (a pickle would also encode which equal objects happen to be shared)."""
    import hashlib

    h = hashlib.sha256()

    def feed(value):
        if isinstance(value, dict):
            for key in sorted(value):
                h.update(str(key).encode())
                feed(value[key])
        elif isinstance(value, (list, tuple)):
            for item in value:
                feed(item)
        else:
            a = np.asarray(value)
            h.update(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())

    feed(trace)
    return h.hexdigest()


def test_same_seed_and_actions_are_bit_identical_across_processes():
    here = digest(rollout("social_rearrange", 3, 30))
    code = ("import sys; sys.path.insert(0, 'tests'); import test_parallel_env as t; "
            "print(t.digest(t.rollout('social_rearrange', 3, 30)))")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=300, check=True)
    assert child.stdout.strip().splitlines()[-1] == here
    assert digest(rollout("social_rearrange", 4, 30)) != here


def test_social_nav_humanoid_walks_as_commanded_and_gets_no_task_reward():
    env = make("social_nav")
    env.reset(seed=1)
    world = env.task.world
    human = world.entity("human0")
    start = human.xy
    stand = {"robot": np.zeros(2, np.float32), "human0": np.zeros(2, np.float32)}
    for _ in range(12):
        _, rewards, *_ = env.step(stand)
        assert rewards["human0"] == 0.0
    # standing still: it does not wander off on its own
    assert math.dist(human.xy, start) < 0.05
    walk = {"robot": np.zeros(2, np.float32), "human0": np.array([1.0, 0.0], np.float32)}
    obs = None
    for _ in range(24):
        obs, *_ = env.step(walk)
    assert math.dist(human.xy, start) > 0.8          # ~1 m/s for 2 s (walls permitting)
    # its observation: the robot in its own frame
    rx, ry, _ = world.entity("robot").base_pose(world)
    assert float(np.hypot(*obs["human0"]["robot_gps_compass"])) == pytest.approx(
        math.dist((rx, ry), human.xy), abs=0.05)


def test_rearrange_skills_humanoid_picks_what_its_policy_chooses():
    from embodied.tasks.social_rearrange.task import HUMANOID_SKILLS, SKILLS

    env = make("social_rearrange_skills")
    env.reset(seed=2)
    wait, pick = SKILLS.index("wait"), HUMANOID_SKILLS.index("pick_0")
    held, decisions = False, 0
    while env.agents and not held:
        obs, rewards, term, trunc, infos = env.step({"robot": wait, "human0": pick})
        decisions += 1
        assert set(obs["human0"]) == set(env.observation_space("human0").spaces)
        assert rewards["robot"] == rewards["human0"]           # a cooperative task
        held = infos["human0"]["held_by"][0] == "human0"
    assert held, "the humanoid never held target 0"
    # the robot's 1 s waits end while the humanoid walks: the humanoid kept its skill
    assert decisions > 1
    assert obs["human0"]["is_holding"][0] == 1.0


def test_skills_mode_ignores_the_action_of_an_agent_whose_skill_runs():
    from embodied.tasks.social_rearrange.task import HUMANOID_SKILLS, SKILLS

    env = make("social_rearrange_skills")
    obs, _ = env.reset(seed=5)
    assert obs["robot"]["deciding"][0] == 1.0 and obs["human0"]["deciding"][0] == 1.0
    walk = HUMANOID_SKILLS.index("nav_to_goal_1")
    obs, _, _, _, infos = env.step({"robot": SKILLS.index("wait"), "human0": walk})
    # the robot's wait ended first; the humanoid walks on
    assert infos["robot"]["deciding"] and not infos["human0"]["deciding"]
    skill = env.task.world.entity("human0").behaviour
    env.step({"robot": SKILLS.index("wait"), "human0": HUMANOID_SKILLS.index("pick_1")})
    assert env.task.world.entity("human0").behaviour is skill or not skill.running


def test_bad_actions_name_the_problem_and_change_nothing():
    env = make("social_rearrange")
    env.reset(seed=0)
    world = env.task.world
    before = world.data.qpos.copy()
    good = {"robot": np.zeros(6, np.float32), "human0": np.zeros(3, np.float32)}
    with pytest.raises(ActionError, match="NaN"):
        env.step(dict(good, human0=np.array([np.nan, 0, 0], np.float32)))
    with pytest.raises(ActionError, match="missing"):
        env.step({"robot": good["robot"]})
    with pytest.raises(ActionError, match=r"shape \(3,\)"):
        env.step(dict(good, human0=np.zeros(2)))
    assert np.array_equal(world.data.qpos, before)
    assert env.task.steps == 0
    env.step(good)
    assert env.task.steps == 1


def test_configs_without_an_outside_humanoid_are_refused():
    with pytest.raises(ConfigError, match="outside policy"):
        parallel_env("social_rearrange", partner="plan_pop_3")
    with pytest.raises(ConfigError, match="outside policy"):
        parallel_env("counterfactual_nav")
    with pytest.raises(ConfigError, match="unknown"):
        parallel_env("social_nav", no_such_field=1)


def test_missing_pettingzoo_names_the_extra(monkeypatch):
    import embodied.envs.parallel as parallel

    monkeypatch.setattr(parallel, "ParallelEnv", None)
    with pytest.raises(ImportError, match=r"embodied\[multiagent\]"):
        parallel.parallel_env("social_nav")
