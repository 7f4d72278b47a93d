"""People's bodies keep apart: the body space takes out of a move what would go into
another body (never what leads out of one), and humanoids walked straight at each other
stop at touching distance."""

import math

import numpy as np

from embodied.agents.humanoid import Humanoid
from embodied.agents.humanoid.floor import floor_spec
from embodied.crowds.bodies import BodySpace
from embodied.sim.world import World


def two_people(a=(0.0, 0.0), b=(1.0, 0.0)) -> BodySpace:
    space = BodySpace(2, radius=0.2)
    space.update(np.array([a, b], float), fixed=[])
    return space


def test_a_move_into_another_body_slides_past_it_and_is_counted():
    space = two_people(b=(0.45, 0.0))
    assert space.slide(0, 0.0, 0.0, 0.04, 0.0) == (0.04, 0.0)      # 0.41 apart: free
    assert space.cut_short == 0
    x, y = space.slide(0, 0.0, 0.0, 0.06, 0.03)                    # would be 0.39 apart
    assert space.cut_short == 1
    assert (x, y) == (0.0, 0.03), "the part of the move towards the other is taken out"
    assert space.slide(0, 0.0, 0.0, 0.08, 0.0) == (0.0, 0.0), "straight at it: it stops"


def test_people_already_too_close_may_move_apart_but_not_nearer():
    space = two_people(b=(0.3, 0.0))
    assert space.slide(0, 0.0, 0.0, -0.03, 0.0) == (-0.03, 0.0)
    assert space.slide(0, 0.0, 0.0, 0.01, 0.0) == (0.0, 0.0)


def test_fixed_discs_keep_people_off_the_robot_and_moves_update_the_space():
    space = two_people(b=(0.9, 0.0))
    space.update(np.array([(0.0, 0.0), (0.9, 0.0)]), fixed=[(0.0, 0.6, 0.3)])
    assert space.slide(0, 0.0, 0.0, 0.0, 0.15) == (0.0, 0.0)         # 0.45 < 0.2 + 0.3
    space.moved(1, 0.3, 0.0)
    assert space.slide(0, 0.0, 0.0, 0.05, 0.0) == (0.0, 0.0), "the space sees where person 1 went"


def test_humanoids_walked_into_each_other_stop_at_touching_distance():
    left, right = Humanoid("left", "avatar_01"), Humanoid("right", "avatar_02")
    world = World(floor_spec(), [left, right], seed=0)
    world.reset()
    left.set_pose(world, (-1.0, 0.0), 0.0)
    right.set_pose(world, (1.0, 0.0), math.pi)
    space = BodySpace(2, left.config.body_radius)
    closest = math.inf
    for _ in range(150):                       # 5 s at 1 m/s: they would pass through
        space.update(np.array([left.xy, right.xy]), fixed=[])
        for k, h in enumerate((left, right)):
            h.body_space = (space, k)
        left.steer(1.0, 0.0)
        right.steer(-1.0, 0.0)
        world.step()
        closest = min(closest, math.dist(left.xy, right.xy))
    assert 2 * left.config.body_radius - 1e-9 <= closest < 2 * left.config.body_radius + 0.06
    assert space.cut_short > 0
