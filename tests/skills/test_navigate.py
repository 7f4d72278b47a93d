"""NavigateTo keeps clear of corners and gets itself unstuck; the SocialNav expert built
on it is never pinned for long (val seed 0 used to pin it against a doorway's wall for
the last 40% of the episode)."""

from types import SimpleNamespace

import gymnasium as gym
import numpy as np

import embodied  # noqa: F401
from embodied.policies.registry import make_policy
from embodied.skills.robot import NavigateTo
from embodied.tasks.navigation import is_stuck
from tests.test_navmap import l_corridor_model


def test_the_aim_point_is_in_clear_view_round_a_corner():
    from embodied.scenes.navmap import NavMap

    corridor = NavMap.from_model(l_corridor_model(), agent_radius=0.3)
    here, goal = (0.5, 2.0), (2.5, 0.5)       # up the x = 0 corridor, round the corner
    path = corridor.shortest_path(here, goal)
    navigate = NavigateTo(goal=goal, lookahead=2.0)
    aim = navigate._aim(corridor, here, path)
    assert corridor.line_of_sight(here, aim)
    from embodied.skills.robot import lookahead_point
    assert not corridor.line_of_sight(here, lookahead_point(path, 2.0)), "the corner is real"


class _PinnedRobot:
    """A robot whose base never moves, whatever it is told (a wall in front)."""

    def __init__(self, navmap):
        self.navmap = navmap
        self.config = SimpleNamespace(max_linear_speed=1.0)

    def base_pose(self, world):
        return (0.5, 2.0, -np.pi / 2)

    def base_velocity(self, world):
        return np.zeros(2)


def test_commanded_motion_that_does_not_happen_makes_it_back_off_and_count_it():
    from embodied.scenes.navmap import NavMap

    corridor = NavMap.from_model(l_corridor_model(), agent_radius=0.3)
    robot, world = _PinnedRobot(corridor), SimpleNamespace(dt=1 / 30)
    navigate = NavigateTo(goal=(0.5, 0.5))
    commands = [navigate.steer(robot, world) for _ in range(90)]
    assert navigate.recoveries >= 1
    backing = [c.linear for c in commands if c.linear < 0]
    assert backing and all(v == -0.3 for v in backing)
    first = next(i for i, c in enumerate(commands) if c.linear < 0)
    assert first == round(navigate.stuck_after * 30) + 1


def test_the_expert_is_never_pinned_on_val_seed_0():
    env = gym.make("embodied/SocialNav-v0", split="val")
    policy = make_policy({"name": "heuristic"}, env)
    obs, _ = env.reset(seed=0)
    policy.reset(env, 0)
    run = longest = 0
    scale = env.unwrapped.task.config.max_linear_speed
    while True:
        action = policy.act(obs, env)
        obs, _, terminated, truncated, info = env.step(action)
        run = run + 1 if is_stuck(float(action[0]) * scale, float(obs["base_velocity"][0])) else 0
        longest = max(longest, run)
        if terminated or truncated:
            break
    env.close()
    assert longest <= 30, f"pinned for {longest} steps in a row"
    assert info["metrics"]["stuck_steps"] <= 15
