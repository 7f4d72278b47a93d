"""Social Navigation: a robot finds a humanoid wandering in an unseen home and follows it.

Definitions match Habitat 3.0's Social Navigation (see :mod:`.terms`). The robot's action
drives its base; the humanoid wanders between random navigable points and ignores the
robot; a contact monitor counts robot-humanoid collisions at the end of each step. Through
the parallel env an outside policy may walk the humanoid instead, rewarded for errands
of its own with ``humanoid_objective="errands"`` (see :mod:`.errands`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from embodied.geometry import facing_cosine
from embodied.sim.world import Timing
from embodied.tasks.actions import BaseVelocityAction
from embodied.tasks.base import PrivilegedView, Task
from embodied.tasks.episodes import RunSkill, Scene, SeparatedStarts
from embodied.tasks.social_nav.config import OBS_MODES, SocialNavConfig
from embodied.tasks.social_nav.errands import Errands
from embodied.tasks.social_nav.terms import (SocialNavMetrics, StepRecord, habitat_oracle_steps,
                                             is_found, oracle_finding_steps, reward_terms,
                                             turn_then_go_spl)

ROBOT = "robot"
HUMANOID = "human0"
#: The contact monitor's pairs: the robot and the followed humanoid; the robot and bystanders.
ROBOT_HUMANOID = "robot_humanoid"
ROBOT_BYSTANDERS = "robot_bystanders"
#: ... and (habitat protocol) the robot and the walls and furniture, for the count penalty.
ROBOT_SCENERY = "robot_scenery"
#: The World's random stream the humanoid's errands draw their goals from.
ERRANDS_STREAM = f"{HUMANOID}/errands"
CROWD = "crowd"


def bystander(i: int) -> str:
    """Entity name of the ``i``-th bystander."""
    return f"bystander{i}"


@dataclass(frozen=True)
class SocialNavView(PrivilegedView):
    """The privileged view of a SocialNav episode: which agents play, and the geodesic
    robot-humanoid distance and found-step count of the last step."""

    robot: str = ROBOT
    humanoid: str = HUMANOID
    distance: float = math.inf
    found_steps: int = 0


class SocialNavTask(Task):
    """Episode sampling, observations, reward and metrics of SocialNav."""

    config_class = SocialNavConfig
    obs_modes = OBS_MODES
    primary_metric = "following_rate"
    teleop_robot_policy = "heuristic"

    # -- declarations -------------------------------------------------------------------------
    def agents(self):
        return {ROBOT: "robot", HUMANOID: "humanoid",
                **{bystander(i): "humanoid" for i in range(self.config.bystanders)}}

    def make_actions(self):
        cfg = self.config
        return {ROBOT: BaseVelocityAction(ROBOT, cfg.max_linear_speed, cfg.max_angular_speed)}

    def make_sensors(self):
        from embodied import sensors as S

        cfg = self.config
        out = [S.HumanoidGPSCompass(humanoid=HUMANOID)] if cfg.humanoid_gps else []
        if cfg.humanoid_velocity:
            out.append(S.HumanoidVelocity(humanoid=HUMANOID))
        out += [S.RangeScan(num_rays=cfg.scan_rays, max_range=cfg.scan_range), S.BaseVelocity()]
        size = cfg.image_size
        if cfg.detector == "geometric":
            out.append(S.GeometricHumanoidDetector(humanoid=HUMANOID, camera=cfg.camera, width=size,
                                                   height=size, max_range=cfg.max_depth))
        else:
            out.append(S.HumanoidDetector(size, size, cfg.camera, "humanoid_detector",
                                          min_pixels=cfg.detector_min_pixels))
        if self.obs_mode != "state":
            out.append(S.CameraDepth(size, size, cfg.camera, "depth", max_depth=cfg.max_depth))
            if self.obs_mode == "rgbd":
                out.append(S.CameraRGB(size, size, cfg.camera, "rgb"))
        # the followed humanoid, when an outside policy drives it: where the robot is
        humanoid = [S.HumanoidGPSCompass(humanoid=ROBOT, name="robot_gps_compass"), S.BaseVelocity()]
        if cfg.humanoid_objective == "errands":
            humanoid += [S.GoalGPSCompass(name="errand_goal"), S.GoalGPSCompass(name="errand_waypoint")]
        return {ROBOT: out, HUMANOID: humanoid}

    # -- scenes -------------------------------------------------------------------------------
    def scene_key(self, seed, rng):
        from embodied.agents.humanoid.avatars import sample_avatar

        index = self.home_index(seed)
        avatar = sample_avatar(rng, self.split).id
        if not self.config.bystanders:
            return index, avatar
        return index, avatar, tuple(sample_avatar(rng, self.split).id
                                    for _ in range(self.config.bystanders))

    def build_scene(self, key) -> Scene:
        from embodied.agents.humanoid import Humanoid
        from embodied.agents.robot import make_robot
        from embodied.sensors import SensorSuite
        from embodied.sim.contacts import ContactMonitor

        index, avatar = key[:2]
        cfg = self.config
        entry = self.scenes.home(self.split, index, cfg.home)
        robot = make_robot(cfg.robot, name=ROBOT, max_linear_speed=cfg.max_linear_speed,
                           max_angular_speed=cfg.max_angular_speed, grasp_mode="oracle")
        humanoid = Humanoid(HUMANOID, avatar=avatar)
        pairs = {ROBOT_HUMANOID: (ROBOT, HUMANOID)}
        others = [Humanoid(bystander(i), avatar=a) for i, a in enumerate(key[2] if len(key) > 2 else ())]
        walkers = [h.name for h in ([humanoid] if cfg.humanoid_crowd else []) + others]
        crowd = []
        if walkers:
            from embodied.crowds.crowd import Crowd, home_obstacles, home_passages

            crowd = [Crowd(walkers, cfg.crowd, home_obstacles(entry.home),
                           home_passages(entry.home), name=CROWD)]
        if others:
            pairs[ROBOT_BYSTANDERS] = (ROBOT, "bystander*")
        if cfg.protocol == "habitat":
            pairs[ROBOT_SCENERY] = (ROBOT, "@scenery")
        contacts = ContactMonitor(pairs)
        world = entry.home.make_world([*crowd, robot, humanoid, *others, contacts],
                                      Timing(cfg.physics_dt, cfg.control_dt))
        robot.navmap = self.scenes.navmap(entry, world, self.robot_radius)
        humanoid.navmap = self.scenes.navmap(entry, world, cfg.humanoid_radius)
        navmaps = {ROBOT: robot.navmap, HUMANOID: humanoid.navmap}
        for h in others:
            h.navmap = navmaps[h.name] = humanoid.navmap
        return Scene(key, entry.home, world, navmaps=navmaps,
                     sensors={a: SensorSuite(a, s) for a, s in self.make_sensors().items()})

    # -- episodes -------------------------------------------------------------------------------
    def initializers(self):
        from embodied.skills.humanoid import Wander

        from embodied.tasks.episodes import PlaceCrowd

        cfg = self.config
        if cfg.protocol == "habitat":     # Habitat 3.0: Euclidean > 5 m, 50 tries, then the last
            out = [SeparatedStarts((ROBOT, HUMANOID), cfg.min_start_distance, tries=50,
                                   on_failure="last", metric="euclidean")]
        else:
            out = [SeparatedStarts((ROBOT, HUMANOID), cfg.min_start_distance, tries=64,
                                   on_failure="farthest")]
        if cfg.bystanders:
            out.append(PlaceCrowd(CROWD, tuple(bystander(i) for i in range(cfg.bystanders)),
                                  ((ROBOT, self.robot_radius), (HUMANOID, cfg.humanoid_radius))))
        if not cfg.humanoid_crowd:
            out.append(RunSkill(HUMANOID, lambda: Wander(speed=tuple(cfg.humanoid_speed),
                                                         pause=tuple(cfg.humanoid_pause))))
        return tuple(out)

    def start_episode(self, seed):
        robot, human = self.start_poses[ROBOT], self.start_poses[HUMANOID]
        self.robot_start = np.array((robot.x, robot.y))
        self.robot_start_yaw = float(robot.yaw)
        self.start_distance = self.scene.navmaps[ROBOT].geodesic_distance(
            (robot.x, robot.y), (human.x, human.y))
        self.metrics = SocialNavMetrics(self.config.reward, self.config.proxemics)
        self.human_track: list[tuple[float, float]] = []
        self.found_steps = 0
        self.first_found: int | None = None
        self.distance = self._distance()
        #: What the last step computed, for its info and reward: terms, facing, found, collided.
        self._last: tuple = (None, 0.0, False, False)
        self.bystander_separation = math.inf
        #: The humanoid's errands, once an outside policy walks it (see drive_externally).
        self.errands: Errands | None = None
        index, avatar = self.scene.key[:2]
        return {"home": f"{self.split}/{index}", "avatar": avatar,
                "start_distance": self.start_distance}

    def _distance(self, robot_xy=None, human_xy=None) -> float:
        """Geodesic robot-humanoid distance (current positions unless given)."""
        world = self.scene.world
        if robot_xy is None:
            robot_xy = world.entities[ROBOT].base_pose(world)[:2]
        if human_xy is None:
            human_xy = world.entities[HUMANOID].xy
        return self.scene.navmaps[ROBOT].geodesic_distance(robot_xy, human_xy)

    def after_step(self):
        cfg, world = self.config, self.scene.world
        entities = world.entities
        robot, contacts = entities[ROBOT], entities["contacts"]
        prev = self.distance
        rx, ry, ryaw = robot.base_pose(world)
        hxy = entities[HUMANOID].xy
        d = self.distance = self._distance((rx, ry), hxy)
        self.human_track.append(hxy)
        facing = facing_cosine((rx, ry), ryaw, hxy)
        found = is_found(d, facing, cfg.reward)
        self.found_steps += found
        if found and self.first_found is None:
            self.first_found = self.steps
        contact = contacts.counts(ROBOT_HUMANOID)
        collided = bool(contact.touching)
        if cfg.protocol == "habitat":
            # -0.01 on each step the robot touches anything but the floor; +10 on every
            # step once the episode is a success
            count = int(collided or contacts.touching(ROBOT_SCENERY))
            success = self.found_steps >= cfg.reward.success_steps
        else:
            count = contact.steps
            success = found and self.found_steps == cfg.reward.success_steps
        terms = reward_terms(d, prev, facing, collided, count, success, self.steps == 1,
                             cfg.reward, cfg.protocol)
        euclid = math.hypot(hxy[0] - rx, hxy[1] - ry)
        forward_speed = float(robot.base_velocity(world)[0])
        self.metrics.add(StepRecord(distance=d, separation=euclid - self.robot_radius
                                    - cfg.humanoid_radius, found=found,
                                    forward_speed=forward_speed, collided=collided,
                                    commanded_speed=float(robot.state.base_command[0]),
                                    euclidean=euclid))
        self._last = terms, facing, found, collided
        if self.errands is not None:
            self.errands.update(hxy, collided, euclid - self.robot_radius - cfg.humanoid_radius,
                                cfg.proxemics.intimate, world.rng(ERRANDS_STREAM))
        if cfg.bystanders:
            xy = np.array([entities[bystander(i)].xy for i in range(cfg.bystanders)])
            gap = float(np.min(np.hypot(xy[:, 0] - rx, xy[:, 1] - ry)))
            self.bystander_separation = min(self.bystander_separation,
                                            gap - self.robot_radius - cfg.humanoid_radius)

    def reward_terms(self):
        return self._last[0]

    def terminated(self):
        """Under Habitat 3.0's protocol a robot-humanoid collision ends the episode."""
        return self.config.protocol == "habitat" and self._last[3]

    def step_info(self):
        _, facing, found, collided = self._last
        return {"distance": self.distance, "found": found, "facing": facing,
                "collided": collided, "found_steps": self.found_steps}

    def episode_metrics(self) -> dict[str, float]:
        cfg = self.config
        out = self.metrics.summary(self._oracle_steps(), cfg.protocol, cfg.max_steps)
        out["start_distance"] = float(self.start_distance)
        out["episode_return"] = float(self.episode_return)
        if cfg.protocol == "v0":
            out["turn_then_go_spl"] = turn_then_go_spl(out["oracle_finding_steps"],
                                                       self._turn_then_go_steps(1.0))
        if self.config.bystanders:
            out["bystander_collision_steps"] = float(
                self.world.entity("contacts").steps(ROBOT_BYSTANDERS))
            out["bystander_min_separation"] = float(self.bystander_separation)
        if self.errands is not None:
            out["humanoid_errands_reached"] = float(self.errands.reached)
            out["humanoid_return"] = float(self.errands.total)
        return out

    def _oracle_steps(self) -> float:
        """l* from the humanoid's recorded track (geodesics computed lazily): v0's
        :func:`oracle_finding_steps`, or Habitat 3.0's :func:`habitat_oracle_steps`."""
        cfg, navmap, start = self.config, self.scene.navmaps[ROBOT], self.robot_start
        if cfg.protocol == "habitat":
            return self._turn_then_go_steps(cfg.oracle_speed)
        return oracle_finding_steps((navmap.geodesic_distance(h, start) for h in self.human_track),
                                    cfg.max_linear_speed, cfg.control_dt, cfg.reward.found_max)

    def _turn_then_go_steps(self, speed_factor: float) -> float:
        """Steps Habitat 3.0's turn-then-go oracle robot, ``speed_factor`` times as fast as
        this robot, needs to find the humanoid of the recorded track (inf: not in time)."""
        cfg, navmap, start = self.config, self.scene.navmaps[ROBOT], self.robot_start
        per_step = speed_factor * cfg.control_dt
        return habitat_oracle_steps(
            self.human_track, lambda xy: navmap.geodesic_distance(start, xy),
            lambda xy: navmap.shortest_path(start, xy), self.robot_start_yaw,
            per_step * cfg.max_linear_speed, per_step * cfg.max_angular_speed,
            cfg.reward.found_max, cfg.reward.facing_cos)

    # -- memory -----------------------------------------------------------------------------------
    def task_state(self):
        return {"robot_start": self.robot_start, "robot_start_yaw": self.robot_start_yaw,
                "start_distance": self.start_distance,
                "records": list(self.metrics.records), "human_track": list(self.human_track),
                "found_steps": self.found_steps, "first_found": self.first_found,
                "distance": self.distance, "last": self._last,
                "bystander_separation": self.bystander_separation,
                "errands": None if self.errands is None else self.errands.state()}

    def restore_task_state(self, state):
        self.robot_start = np.array(state["robot_start"])
        self.robot_start_yaw = state["robot_start_yaw"]
        self.start_distance = state["start_distance"]
        self.metrics = SocialNavMetrics(self.config.reward, self.config.proxemics,
                                        list(state["records"]))
        self.human_track = list(state["human_track"])
        self.found_steps, self.distance = state["found_steps"], state["distance"]
        self.first_found = state["first_found"]
        self.bystander_separation = state["bystander_separation"]
        self._last = state["last"]
        errands = state["errands"]
        self.errands = None if errands is None else Errands.restored(
            self.config.errands, self.scene.navmaps[HUMANOID], errands)

    # -- what people and tools see ------------------------------------------------------------------
    def privileged(self) -> SocialNavView:
        s = self._scene()
        return SocialNavView(world=s.world, home=s.home, navmaps=s.navmaps, actions=self.actions,
                             steps=self.steps, distance=self.distance, found_steps=self.found_steps)

    def following_rate_so_far(self) -> float:
        """Found steps / steps since the first found step, that one included (NaN before)."""
        if self.first_found is None:
            return float("nan")
        return self.found_steps / max(self.steps - self.first_found + 1, 1)

    def external_agents(self):
        """The followed humanoid walks as an outside policy commands (instead of wandering)."""
        from embodied.agents.humanoid.gait import GaitConfig
        from embodied.tasks.actions import HumanoidWalkAction

        return {HUMANOID: HumanoidWalkAction(HUMANOID, max(self.config.humanoid_speed),
                                             GaitConfig().max_turn_rate)}

    def agent_reward(self, agent, reward):
        # the task rewards the robot only; the humanoid is rewarded for its errands
        if agent == ROBOT:
            return reward
        if agent == HUMANOID and self.errands is not None:
            return float(sum(self.errands.terms.values()))
        return 0.0

    def drive_externally(self, name: str):
        """Hand ``name`` to outside commands; with ``humanoid_objective="errands"`` the
        followed humanoid's errands start here (its first goal drawn now)."""
        teleop = super().drive_externally(name)
        if name == HUMANOID and self.config.humanoid_objective == "errands":
            world = self.world
            self.errands = Errands(self.config.errands, self.scene.navmaps[HUMANOID],
                                   world.entities[HUMANOID].xy, world.rng(ERRANDS_STREAM))
        return teleop

    def observe(self, agent=None):
        if self.errands is not None and agent == HUMANOID:
            # the goal sensors belong to the scene's suite, which forks share: set per read
            sensors = self._scene().sensors[HUMANOID].sensors
            sensors["errand_goal"].goal = self.errands.goal
            sensors["errand_waypoint"].goal = self.errands.waypoint(self.world.entities[HUMANOID].xy)
        return super().observe(agent)

    def teleop_agents(self):
        # the followed humanoid, then the bystanders (a second person drives one: the crowd
        # still sees it and walks round it)
        return (HUMANOID, *(bystander(i) for i in range(self.config.bystanders)))

    def hud_rows(self):
        contacts = self.world.entity("contacts")
        state = "FOLLOWING" if self._last[2] else (
            "searching" if self.first_found is None else "lost")
        rate = self.following_rate_so_far()
        return [("distance to robot", f"{self.distance:.2f} m"), ("robot", state),
                ("following rate", "-" if rate != rate else f"{rate:.2f}"),
                ("found steps", f"{self.found_steps}"),
                ("collisions", f"{contacts.onsets(ROBOT_HUMANOID)} "
                               f"({contacts.steps(ROBOT_HUMANOID)} steps)")]

    def headline(self, metrics):
        m = metrics
        return (f"found {m['finding_success']:.0f}, following rate {m['following_rate']:.2f}, "
                f"collision {m['collision']:.0f}, min distance {m['min_human_distance']:.2f} m")

    def video_lines(self):
        contacts = self.world.entity("contacts")
        return (f"step {self.steps}/{self.config.max_steps}   distance {self.distance:.2f} m",
                f"found steps {self.found_steps}   collisions {contacts.onsets(ROBOT_HUMANOID)}")

    def view_focus(self):
        world = self.world
        rx, ry, _ = world.entity(ROBOT).base_pose(world)
        return [(rx, ry), tuple(world.entity(HUMANOID).position[:2])]

    def inset_camera(self) -> str | None:
        return self.world.entity(ROBOT).head_camera
