"""Robot manipulation skills in generated homes: how often ``Pick`` then ``Place`` moves an
object from one receptacle to another.

``run()`` returns, over the first ``homes`` val homes (free objects, an oracle-grasp Fetch
starting on a seeded navigable point), for every object on an ordinary receptacle (tables,
desks, counters, cabinets, nightstands, TV stands, coffee tables, sofas, toilets) taken to
another ordinary receptacle of its room:

- ``pick_place_pairs``: the pairs tried; ``pick_place_success``: the share moved (the
  object rests on the target surface and the hand is empty); ``pick_success``: the share
  picked; ``pick_place_steps``: median control steps of a successful move.
"""

from __future__ import annotations

import statistics

import numpy as np

from embodied.skills.placement import ORDINARY_RECEPTACLES as ORDINARY


def home_world(seed: int, **robot_config):
    """Val home ``seed`` with free objects and an oracle-grasp Fetch with its navigation
    map; ``world.start`` is a seeded navigable point (:func:`restart` puts the robot there)."""
    from embodied.agents.robot import make_robot
    from embodied.scenes.home import HomeConfig, generate_home
    from embodied.scenes.navmap import NavMap

    home = generate_home(seed, "val", HomeConfig(static_objects=False))
    robot = make_robot("fetch", grasp_mode="oracle", **robot_config)
    world = home.make_world([robot], seed=seed)
    robot.navmap = NavMap.from_model(world.model, world.data, agent_radius=robot.constants.base_radius,
                                     rooms=home.room_rects())
    world.start = robot.navmap.sample_navigable(np.random.default_rng(seed), 1)[0]
    restart(world, robot)
    return home, world, robot


def restart(world, robot) -> None:
    """Back to the World's initial state, the robot at ``world.start`` facing +x."""
    world.reset()
    robot.set_pose(world, world.start, 0.0)


def run_skill(world, robot, skill, limit: int = 2500) -> int:
    """Run ``skill`` in the robot until it ends (at most ``limit`` steps); the steps taken."""
    robot.run(skill)
    steps = 0
    while skill.running and steps < limit:
        world.step()
        steps += 1
    return steps


def moves(home) -> list:
    """(object, target receptacle) pairs: each object on an ordinary receptacle to the first
    other ordinary receptacle of its room."""
    pieces = {f.name: f for f in home.receptacles()}
    pairs = []
    for obj in home.objects:
        if pieces[obj.receptacle].category not in ORDINARY:
            continue
        targets = [f for f in pieces.values() if f.category in ORDINARY
                   and f.name != obj.receptacle and f.room == obj.room]
        if targets:
            pairs.append((obj, targets[0]))
    return pairs


def bench_pick_place(homes: int = 10) -> dict:
    from embodied.skills.base import Sequence, Status
    from embodied.skills.placement import resting_on
    from embodied.skills.robot import Pick, Place

    tried = moved = picked = 0
    steps = []
    for seed in range(homes):
        home, world, robot = home_world(seed)
        for obj, target in moves(home):
            restart(world, robot)
            body = home.object_body_name(obj.name)
            pick, place = Pick(object=body), Place(furniture=target.name, home=home)
            n = run_skill(world, robot, Sequence(children=[pick, place]))
            tried += 1
            picked += pick.status is Status.DONE
            if (place.status is Status.DONE and not robot.is_holding()
                    and resting_on(world, world.body_id(body), target)):
                moved += 1
                steps.append(n)
    return {"pick_place_homes": float(homes), "pick_place_pairs": float(tried),
            "pick_place_success": moved / tried, "pick_success": picked / tried,
            "pick_place_steps": float(statistics.median(steps)) if steps else float("nan")}


def run() -> dict:
    return bench_pick_place()


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<24} {value:10.3f}")
