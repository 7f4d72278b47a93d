"""A home full of people: the World, crowd and maps the ``embodied crowd`` command, the
crowd tests and benchmarks use (tasks build their own through the scene cache)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embodied.crowds.crowd import Crowd, CrowdConfig, home_obstacles, home_passages, place_people

#: The robot of a crowd scene stands where it has this much room (m to the nearest obstacle).
ROBOT_ROOM = 1.0


@dataclass
class CrowdScene:
    """A World with a crowd of ``people`` humanoids (``human0``, ...) and maybe a robot."""

    world: object
    crowd: Crowd
    navmap: object
    home: object
    people: list

    def positions(self) -> np.ndarray:
        """(n, 2) floor positions of the people."""
        return np.array([self.world.entity(p).xy for p in self.crowd.people])


def crowd_scene(home_seed: int = 3, split: str = "val", people: int = 20,
                config: CrowdConfig | None = None, robot: bool = True, seed: int = 0,
                num_rooms=(4, 6)) -> CrowdScene:
    """Home ``home_seed`` of ``split`` with ``people`` walking under ``config`` (and a Fetch
    robot standing where it has room round it when ``robot``), reset with ``seed``."""
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.humanoid.avatars import sample_avatar
    from embodied.agents.robot import make_robot
    from embodied.scenes.home import HomeConfig, generate_home
    from embodied.scenes.navmap import NavMap

    config = config or CrowdConfig(robot="robot" if robot else None)
    home = generate_home(home_seed, split, HomeConfig(static_objects=True, num_rooms=num_rooms))
    rng = np.random.default_rng([seed, 0xC0D])
    humans = [Humanoid(f"human{i}", avatar=sample_avatar(rng, "train")) for i in range(people)]
    crowd = Crowd([h.name for h in humans], config, home_obstacles(home), home_passages(home))
    entities = [crowd, *([make_robot("fetch", name="robot")] if robot else []), *humans]
    world = home.make_world(entities, seed=seed)
    navmap = NavMap.from_model(world.model, world.data, agent_radius=config.radius,
                               rooms=home.room_rects())
    for h in humans:
        h.navmap = navmap
    world.reset(seed=seed)
    keep_clear = []
    if robot:                          # its own draws: the people start alike with or without it
        robot_rng = np.random.default_rng([seed, 0xB07])
        robot_entity = world.entity("robot")
        radius = robot_entity.constants.base_radius
        # somewhere with room round it: a robot parked in a doorway shuts half the home
        candidates = navmap.with_radius(radius).sample_navigable(robot_rng, 64)
        roomy = [c for c in candidates if navmap.clearance_at(tuple(c)) >= ROBOT_ROOM]
        x, y = (roomy or [max(candidates, key=lambda c: navmap.clearance_at(tuple(c)))])[0]
        robot_entity.set_pose(world, (x, y), float(robot_rng.uniform(-np.pi, np.pi)))
        keep_clear.append((x, y, radius))
    place_people(world, crowd, rng, keep_clear)
    return CrowdScene(world, crowd, navmap, home, humans)
