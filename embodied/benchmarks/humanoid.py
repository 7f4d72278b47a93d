"""Humanoid benchmarks: controller cost per humanoid, reach IK cost, crowded homes.

``run()`` returns medians:

- ``walk_controller_us``: one humanoid's controller work for one control step while
  walking at 1 m/s (behaviour-free gait, skeleton FK, mocap interpolation over the
  substeps, contact bookkeeping), excluding the physics step. Target <= 100 us.
- ``reach_ik_us``: the same while reaching with IK. Target <= 1000 us.
- ``home_4_wander_steps_per_s``: control steps per second of a generated home with four
  wandering humanoids, physics included, no rendering. Target >= 1000.
- ``home_0_humanoids_steps_per_s`` (the same home, empty), ``home_per_humanoid_us``
  (what each wandering humanoid adds to a control step) and
  ``home_16_wander_steps_per_s`` show how the cost scales with the number of humanoids.
"""

from __future__ import annotations

import time

import numpy as np

from embodied.skills import humanoid as B
from embodied.agents.humanoid.floor import floor_spec
from embodied.agents.humanoid.humanoid import Humanoid
from embodied.agents.humanoid.reach import ReachStatus
from embodied.benchmarks.timing import median_seconds
from embodied.sim.world import World


def _controller_time(world: World, h: Humanoid, steps: int) -> float:
    """Mean seconds of the humanoid's hooks for one control step (physics excluded)."""
    total = 0.0
    for _ in range(steps):
        t0 = time.perf_counter()
        h.before_control(world)
        if h.needs_substeps():
            for k in range(world.substeps):
                h.before_substep(world, k)
        h.after_control(world)
        total += time.perf_counter() - t0
        world.step()        # advance physics and the humanoid again so the state evolves
    return total / steps


def bench_walk_controller(steps: int = 300, repeats: int = 5) -> float:
    h = Humanoid("h", "avatar_00")
    world = World(floor_spec(), [h], seed=0)
    world.reset()
    h.walk(1.0, 0.3)
    world.step(30)
    samples = [_controller_time(world, h, steps) for _ in range(repeats)]
    return float(np.median(samples))


def bench_reach(repeats: int = 5) -> float:
    h = Humanoid("h", "avatar_00")
    world = World(floor_spec(), [h], seed=0)
    world.reset()
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(repeats * 3):
        target = np.array([rng.uniform(0.25, 0.5), rng.uniform(-0.3, 0.0), rng.uniform(0.6, 1.3)])
        h.reach(target, "r")
        n, total = 0, 0.0
        while h.reach_status is ReachStatus.RUNNING and n < 60:
            total += _controller_time(world, h, 1)
            n += 1
        samples.append(total / max(n, 1))
        h.retract()
        world.step(20)
    return float(np.median(samples))


def bench_home(n_humans: int, steps: int = 300, repeats: int = 3) -> float:
    """Control steps per second of home 0 (train) with ``n_humans`` wandering humanoids."""
    from embodied.scenes.home import generate_home
    from embodied.scenes.navmap import NavMap

    home = generate_home(0, "train")
    probe = home.make_world([])
    navmap = NavMap.from_model(probe.model, probe.data, agent_radius=0.25, rooms=home.room_rects())
    starts = navmap.sample_navigable(np.random.default_rng(0), max(n_humans, 1))
    humans = [Humanoid(f"human{i}", f"avatar_{i % 12:02d}", pos=(p[0], p[1], 0.0), navmap=navmap)
              for i, p in zip(range(n_humans), starts)]
    world = home.make_world(humans, seed=0)
    world.reset()
    for h in humans:
        h.run(B.Wander())
    world.step(30)
    return 1.0 / median_seconds(lambda: world.step(steps), repeats=repeats) * steps


def run() -> dict:
    walk = bench_walk_controller()
    reach = bench_reach()
    empty, four = bench_home(0), bench_home(4)
    return {
        "walk_controller_us": walk * 1e6,
        "walk_controller_target_ratio": walk * 1e6 / 100.0,
        "reach_ik_us": reach * 1e6,
        "reach_ik_target_ratio": reach * 1e6 / 1000.0,
        "home_0_humanoids_steps_per_s": empty,
        "home_4_wander_steps_per_s": four,
        "home_4_wander_target_ratio": four / 1000.0,
        # everything a wandering humanoid adds to a control step (behaviour, gait, FK,
        # mocap updates, extra collision work), from the two runs above
        "home_per_humanoid_us": (1.0 / four - 1.0 / empty) / 4 * 1e6,
        "home_16_wander_steps_per_s": bench_home(16, steps=150),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.2f}")
