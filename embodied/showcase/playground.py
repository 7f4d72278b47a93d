"""Scenes for robot tests, benchmarks and figures: a small walled room with tables and
objects (a minimal example of what a scene needs to provide), and a robot placed with a
humanoid in a generated home."""

from __future__ import annotations

from dataclasses import dataclass, field

import mujoco
import numpy as np

from embodied.sim import collision

TABLE_HEIGHT = 0.72


@dataclass
class Playground:
    """A scene spec and its semantic labels, ready for ``World(spec, entities, labels=...)``."""

    spec: mujoco.MjSpec
    labels: dict[str, str] = field(default_factory=dict)


def make_playground(half_size: float = 3.0,
                    tables: tuple[tuple[float, float], ...] = ((0.85, 0.0),),
                    objects: dict[str, tuple[float, float, float]] | None = None,
                    humanoid: tuple[float, float] | None = None,
                    object_half_size: float = 0.025, object_mass: float = 0.15) -> Playground:
    """A square room (inner walls at +-``half_size``) with tables (0.8 x 1.2 m, top at
    0.72 m) centred at ``tables``, free cubes named ``obj/<name>/`` resting at the given
    (x, y, z) and optionally a standing humanoid stand-in (a mocap capsule ``human0/``)."""
    spec = mujoco.MjSpec()
    spec.modelname = "playground"
    spec.add_texture(name="grid", type=mujoco.mjtTexture.mjTEXTURE_2D,
                     builtin=mujoco.mjtBuiltin.mjBUILTIN_CHECKER, width=256, height=256,
                     rgb1=[0.72, 0.66, 0.58], rgb2=[0.66, 0.6, 0.52])
    floor_mat = spec.add_material(name="floor", texrepeat=[4, 4], reflectance=0.05)
    floor_mat.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = "grid"
    world = spec.worldbody
    world.add_light(pos=[0, 0, 3.0], dir=[0, 0, -1], diffuse=[0.7, 0.7, 0.7],
                    castshadow=True, type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL)
    world.add_light(pos=[0, 0, 2.5], dir=[0, 0, -1], diffuse=[0.3, 0.3, 0.3], castshadow=False)
    labels = {"floor": "floor", "wall/": "wall"}

    def static(name, **kw):
        g = world.add_geom(name=name, **kw)
        collision.apply(g, collision.STATIC)
        return g

    static("floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[half_size + 0.1, half_size + 0.1, 0.1],
           material="floor")
    t, h = 0.05, 1.25
    for i, (x, y, sx, sy) in enumerate(((half_size + t, 0, t, half_size + 2 * t),
                                        (-half_size - t, 0, t, half_size + 2 * t),
                                        (0, half_size + t, half_size, t),
                                        (0, -half_size - t, half_size, t))):
        static(f"wall/{i}", type=mujoco.mjtGeom.mjGEOM_BOX, size=[sx, sy, h], pos=[x, y, h],
               rgba=[0.86, 0.84, 0.8, 1])
    for i, (x, y) in enumerate(tables):
        labels[f"table{i}/"] = "table"
        static(f"table{i}/top", type=mujoco.mjtGeom.mjGEOM_BOX, size=[0.4, 0.6, 0.02],
               pos=[x, y, TABLE_HEIGHT - 0.02], rgba=[0.55, 0.38, 0.24, 1])
        for dx, dy in ((0.35, 0.55), (0.35, -0.55), (-0.35, 0.55), (-0.35, -0.55)):
            static(f"table{i}/leg{dx:+}{dy:+}", type=mujoco.mjtGeom.mjGEOM_BOX,
                   size=[0.025, 0.025, (TABLE_HEIGHT - 0.04) / 2],
                   pos=[x + dx, y + dy, (TABLE_HEIGHT - 0.04) / 2], rgba=[0.4, 0.27, 0.17, 1])
    palette = np.array([[0.85, 0.2, 0.15, 1], [0.15, 0.55, 0.25, 1], [0.2, 0.35, 0.8, 1]])
    for i, (name, pos) in enumerate((objects or {}).items()):
        labels[f"obj/{name}/"] = "box"
        body = world.add_body(name=f"obj/{name}/body", pos=list(pos))
        body.add_freejoint(name=f"obj/{name}/free")
        g = body.add_geom(name=f"obj/{name}/geom", type=mujoco.mjtGeom.mjGEOM_BOX,
                          size=[object_half_size] * 3, mass=object_mass,
                          rgba=list(palette[i % len(palette)]), condim=4)
        collision.apply(g, collision.DYNAMIC)
    if humanoid is not None:
        labels["human0/"] = "humanoid"
        body = world.add_body(name="human0/root", pos=[humanoid[0], humanoid[1], 0.0], mocap=True)
        for name, kw in (("torso", dict(type=mujoco.mjtGeom.mjGEOM_CAPSULE, size=[0.2, 0, 0],
                                        fromto=[0, 0, 0.3, 0, 0, 1.4])),
                         ("head", dict(type=mujoco.mjtGeom.mjGEOM_SPHERE, size=[0.11, 0, 0],
                                       pos=[0, 0, 1.62]))):
            g = body.add_geom(name=f"human0/{name}", rgba=[0.8, 0.62, 0.5, 1], **kw)
            collision.apply(g, collision.KINEMATIC)
    return Playground(spec, labels)


def robot_in_home(seed: int = 0, embodiment: str = "fetch", humanoid: bool = True,
                  humanoid_distance: tuple[float, float] = (2.0, 6.0), face_humanoid: bool = False,
                  min_clearance: float = 0.0, same_room: bool = False, split: str = "train",
                  **robot_config):
    """A World of generated home ``seed`` with a robot on navigable floor at least
    ``min_clearance`` metres from obstacles and (optionally) a humanoid
    ``humanoid_distance`` metres away in straight, unobstructed line; with
    ``face_humanoid`` the robot looks at it; with ``same_room`` both stand in one room.
    Returns ``(world, robot)`` after a reset."""
    from embodied.agents.humanoid.humanoid import Humanoid
    from embodied.agents.robot.embodiment import get_embodiment
    from embodied.agents.robot.robot import make_robot
    from embodied.scenes.home import generate_home
    from embodied.scenes.navmap import NavMap

    home = generate_home(seed, split)
    radius = get_embodiment(embodiment).constants.base_radius
    navmap = NavMap.from_model(home.build_spec().compile(), agent_radius=radius + 0.1)
    rng = np.random.default_rng(seed)
    points = navmap.sample_navigable(rng, 400)
    points = np.array([p for p in points if navmap.clearance_at(p) >= min_clearance] or points)
    start, other = points[0], None
    if humanoid:
        near, far = humanoid_distance
        pairs = ((a, b) for a in points[:80] for b in navmap.sample_navigable(rng, 400)
                 if near < np.linalg.norm(b - a) < far and navmap.line_of_sight(a, b)
                 and (not same_room or home.room_at(*a) == home.room_at(*b)))
        start, other = next(pairs, (None, None))
        if start is None:
            raise RuntimeError(f"home {seed}: no two points {near}-{far} m apart in line of sight")
    yaw = (float(np.arctan2(other[1] - start[1], other[0] - start[0])) if face_humanoid
           else float(rng.uniform(-np.pi, np.pi)))
    robot = make_robot(embodiment, pos=(start[0], start[1], 0.0), yaw=yaw, **robot_config)
    entities = [robot]
    if humanoid:
        entities.append(Humanoid("human0", pos=(other[0], other[1]), yaw=yaw + np.pi))
    world = home.make_world(entities, seed=seed)
    world.reset()
    return world, robot
