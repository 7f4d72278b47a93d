"""Crowd benchmarks: a home full of walking people (:func:`bench_crowd`), our ORCA path
against bare ``pyrvo`` (:func:`bench_orca`), and the social force model alone against
``pysocialforce`` (:func:`bench_social_force`).

``bench_social_force(agents=(20, 100))`` times, for each number of people, steps of our
:class:`~embodied.crowds.social_force.SocialForceModel` (both parameter sets) and of
``pysocialforce``'s ``Simulator`` with the same people in the same open 10 m x 10 m
walled square (start positions, goals and first velocities drawn from one seed, no
groups, no robot, 30 Hz steps). It returns steps per second, medians over repeats of
:func:`~embodied.benchmarks.timing.median_seconds`. ``pysocialforce`` is imported only
here; when it is not installed its figures are reported as missing.

What one step computes differs between the two:

- ours: each person's preferred velocity towards its goal (zero within 0.5 m), then
  ``velocities()``: driving term, all pairs at once (the Helbing ellipse with field of
  view, or the Moussaid interaction), the nearest obstacle from the navigation map's
  clearance field (one bilinear look-up per person, whatever the walls), speed cap; then
  positions advance by ``v dt``;
- ``pysocialforce`` (1.1.2 defaults, with its step set to 1/30 s): its desired force
  towards the goal, its social force (the Moussaid form, scaled by 5.1) over all pairs,
  an obstacle force summed over every wall point (walls sampled every 0.1 m) within
  3.35 m of each person, in a Python loop over people, the three group forces (no
  groups here, so nothing), a speed cap at 1.3 times each person's first speed, a stop
  within 0.5 m of the goal, position update, and a copy of the state appended to its
  history (which grows with every step).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile

import mujoco
import numpy as np

from embodied.benchmarks.navmap import add_wall
from embodied.benchmarks.timing import median_seconds
from embodied.crowds.models import Agents
from embodied.crowds.social_force import SocialForceModel
from embodied.scenes.navmap import NavMap

SIDE = 10.0          # the square's side (m)
DT = 1.0 / 30.0
RADIUS = 0.25
SPEED = 1.2
_WALLS = (((0.0, 0.0), (SIDE, 0.0)), ((SIDE, 0.0), (SIDE, SIDE)),
          ((SIDE, SIDE), (0.0, SIDE)), ((0.0, SIDE), (0.0, 0.0)))


def open_square_map(cell_size: float = 0.05) -> NavMap:
    """The people's navigation map of the walled square."""
    spec = mujoco.MjSpec()
    spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.1])
    for k, (a, b) in enumerate(_WALLS):
        add_wall(spec.worldbody, a, b, f"wall{k}")
    return NavMap.from_model(spec.compile(), agent_radius=RADIUS, cell_size=cell_size,
                             bounds=(-0.5, -0.5, SIDE + 0.5, SIDE + 0.5))


def _people(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start positions, goals and first velocities of ``n`` people in the square."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.8, SIDE - 0.8, (n, 2))
    goals = rng.uniform(0.8, SIDE - 0.8, (n, 2))
    heading = (goals - pos) / np.linalg.norm(goals - pos, axis=1, keepdims=True)
    return pos, goals, heading * rng.uniform(0.8, SPEED, (n, 1))


def _our_steps(model: SocialForceModel, n: int, seed: int, steps: int):
    pos, goals, vel = _people(n, seed)
    state = {"pos": pos, "vel": vel}
    radius, max_speed, group = np.full(n, RADIUS), np.full(n, 1.3 * SPEED), np.full(n, -1)

    def run():
        pos, vel = state["pos"], state["vel"]
        for _ in range(steps):
            to_goal = goals - pos
            dist = np.linalg.norm(to_goal, axis=1, keepdims=True)
            pref = np.where(dist > 0.5, SPEED * to_goal / np.maximum(dist, 1e-9), 0.0)
            vel = model.velocities(Agents(pos=pos, vel=vel, pref=pref, radius=radius,
                                          max_speed=max_speed, group=group), DT)
            pos = pos + vel * DT
        state["pos"], state["vel"] = pos, vel

    return run


@contextlib.contextmanager
def _quiet_import_dir():
    """Import ``pysocialforce`` from a temporary directory (it opens ``file.log`` in the
    working directory) and undo what it does to the root logger."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    disabled = root.manager.disable
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        logging.disable(logging.INFO)        # what its imports log at its DEBUG level
        try:
            yield
        finally:
            os.chdir(cwd)
            logging.disable(disabled)
            for handler in list(root.handlers):
                if handler not in handlers:
                    root.removeHandler(handler)
                    handler.close()
            root.setLevel(level)


def _import_pysocialforce():
    try:
        with _quiet_import_dir():
            import pysocialforce
    except ImportError:
        return None
    return pysocialforce


def _their_steps(psf, n: int, seed: int, steps: int):
    pos, goals, vel = _people(n, seed)
    state = np.concatenate([pos, vel, goals], axis=1)
    obstacles = [(a[0], b[0], a[1], b[1]) for a, b in _WALLS]   # (x0, x1, y0, y1)
    sim = psf.Simulator(state, groups=None, obstacles=obstacles)
    sim.peds.step_width = DT

    def run():
        sim.step(steps)

    return run


def bench_social_force(agents=(20, 100), steps: int = 30, repeats: int = 5,
                       seed: int = 0) -> dict:
    """Steps per second of our social force model (``helbing`` and ``moussaid`` sets)
    and of ``pysocialforce`` for each number of people in ``agents`` (see the module
    docstring). Keys: ``ours_helbing_{n}_steps_per_s``, ``ours_moussaid_{n}_steps_per_s``,
    ``pysocialforce_{n}_steps_per_s`` (or ``pysocialforce: "missing"`` when it is not
    installed), ``pysocialforce_version``."""
    navmap = open_square_map()
    psf = _import_pysocialforce()
    out: dict = {}
    for n in agents:
        for params in ("helbing", "moussaid"):
            model = SocialForceModel(params)
            model.bind(navmap, [])
            run = _our_steps(model, int(n), seed, steps)
            out[f"ours_{params}_{n}_steps_per_s"] = steps / median_seconds(run, repeats=repeats)
        if psf is not None:
            run = _their_steps(psf, int(n), seed, steps)
            out[f"pysocialforce_{n}_steps_per_s"] = steps / median_seconds(run, repeats=repeats)
    if psf is None:
        out["pysocialforce"] = "missing"
    else:
        out["pysocialforce_version"] = getattr(psf, "__version__", "?")
    return out


def bench_orca(agents=(20, 100), steps: int = 30, repeats: int = 5, seed: int = 0) -> dict:
    """Steps per second of our ORCA model (people written into ``pyrvo`` each step) and of
    bare ``pyrvo`` stepping the same people by itself, in the same open square."""
    import pyrvo

    from embodied.crowds.orca import ORCAModel

    out: dict = {}
    for n in agents:
        pos, goals, vel = _people(int(n), seed)
        model = ORCAModel()
        model.bind(None, [])

        def ours(pos=pos, goals=goals, vel=vel):
            p, v = pos.copy(), vel.copy()
            for _ in range(steps):
                gap = goals - p
                pref = gap / np.maximum(np.linalg.norm(gap, axis=1, keepdims=True), 1e-9)
                agents = Agents(pos=p, vel=v, pref=pref, radius=np.full(len(p), 0.25),
                                max_speed=np.full(len(p), 1.3), group=np.full(len(p), -1))
                v = model.velocities(agents, 1 / 30)
                p = p + v / 30

        def bare(pos=pos, goals=goals):
            sim = pyrvo.RVOSimulator(1 / 30, 10.0, 10, 5.0, 1.0, 0.25, 1.3)
            for x in pos:
                sim.add_agent(tuple(map(float, x)))
            for _ in range(steps):
                for i in range(len(pos)):
                    px, py = sim.get_agent_position(i).to_tuple()
                    gx, gy = goals[i] - (px, py)
                    d = max(float(np.hypot(gx, gy)), 1e-9)
                    sim.set_agent_pref_velocity(i, (gx / d, gy / d))
                sim.do_step()

        out[f"ours_orca_{n}_steps_per_s"] = steps / median_seconds(ours, repeats=repeats)
        out[f"bare_pyrvo_{n}_steps_per_s"] = steps / median_seconds(bare, repeats=repeats)
    return out


def bench_crowd(people=(20, 50), seconds: float = 10.0) -> dict:
    """Control steps per second of a home with walking people, state only, physics
    included (``crowd_scene``: val home 16 with 7 rooms, which holds 52, a standing robot,
    ORCA), and the crowd's share
    of a step (its planning and model, not the humanoids' animation)."""
    import time

    from embodied.benchmarks.timing import PartTimer
    from embodied.crowds.crowd import Crowd
    from embodied.crowds.scene import crowd_scene

    out: dict = {}
    for n in people:
        scene = crowd_scene(home_seed=16, people=int(n), num_rooms=7)
        scene.world.step(30)
        steps = int(seconds / scene.world.dt)
        timer = PartTimer()
        timer.wrap(Crowd, "before_control", "crowd")
        start = time.perf_counter()
        scene.world.step(steps)
        total = time.perf_counter() - start
        timer.remove()
        out[f"crowd_{n}_people_steps_per_s"] = steps / total
        out[f"crowd_{n}_people_crowd_share"] = timer.seconds["crowd"] / total
    return out


def run() -> dict:
    out = bench_crowd()
    out.update(bench_orca())
    out.update(bench_social_force())
    return out


if __name__ == "__main__":
    for key, value in bench_social_force().items():
        print(f"{key:36s} {value:.1f}" if isinstance(value, float) else f"{key:36s} {value}")
