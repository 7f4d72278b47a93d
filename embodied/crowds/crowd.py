"""The crowd: an entity of the World that walks many humanoids to goals of their own.

Each control step, before its people's controllers run, the :class:`Crowd` advances each
person's plan (a goal drawn from the person's own random stream, a shortest path to it on
the people's navigation map, a pause on arrival), gives the local avoidance model (ORCA or
social force, :mod:`embodied.crowds.models`) the people heading for their next waypoints
and the robot as it sees it, and passes the velocities it returns to the humanoids'
``steer()``; their bodies never walk into each other or the robot it sees
(:mod:`embodied.crowds.bodies`). People take turns through doorways (who comes against
the flow waits beside the doorway, off its axis, until it is their side's turn), bear right
when they meet someone head-on, and never take a velocity that walks them into furniture
(the model's obstacles are rectangles with round corners, the map their bodies move on a
raster). Someone stuck for a while plans its way again from where it stands (round the
robot, if that is what is in the way), steps aside for people who go first, and stops
beside a goal someone else stands on. Everything a plan remembers is in
the crowd's state, so World snapshots and forks replay the crowd exactly;
``robot_visible=False`` makes the crowd walk as if the robot were not there (the
counterfactual switch).

The crowd must come before its people in the World's entities (it steers them before
their gaits step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from embodied.crowds.bodies import BodySpace
from embodied.crowds.models import Agents, make_model
from embodied.errors import ConfigError, EpisodeInitError, check_choice, check_range
from embodied.geometry import segment_distance
from embodied.sim.entity import Entity

if TYPE_CHECKING:
    from embodied.scenes.home import Home
    from embodied.scenes.navmap import NavMap
    from embodied.sim.world import World

GOALS = ("points", "errands")
#: People in a crowd turn on the spot only for turns sharper than this (they curve round
#: smaller ones while walking, as the avoidance model's velocities assume they can).
WALKING_TURN = math.radians(90.0)
#: Goals are drawn where there is this much room when a few candidates allow it (m to the
#: nearest obstacle): people who pause in a corridor or a doorway stop everyone else.
GOAL_CLEARANCE = 0.45
GOAL_CANDIDATES = 8
#: ... and this far (m) from other people and their goals.
GOAL_FREE = 1.0
#: A person blocked this long (s) while wanting to walk steps aside for this long (s) from
#: its nearest neighbour of higher priority (measured in 3-minute runs of 20 people in four
#: homes, two seeds each: 68% of goals reached with it, 26% without).
UNJAM_AFTER, UNJAM_FOR = 0.5, 2.0
#: A person who has not got nearer its goal for this long (s) plans its way again from
#: where it is, round the robot if it stands in the way within this distance (m) (paths
#: are planned on the map of the empty home), up to this many times per goal.
DETOUR_AFTER, DETOUR_NEAR, DETOURS = 4.0, 2.0, 1
#: Paths are planned this much (m) further from obstacles than the avoidance disc.
PATH_MARGIN = 0.1
#: Each person looks for a shortcut to its next waypoint every this many steps (5 a second).
LOOK_EVERY = 6
#: People take turns through a doorway: those whose path crosses it within this distance
#: (m) of its wall line line up beside it while people come through the other way; a
#: direction keeps its turn at most this long (s) while the other side waits.
DOOR_APPROACH, DOOR_TURN = 2.0, 6.0
#: Who is this near (m) the wall line inside a doorway's width is in it (and goes on).
DOOR_INSIDE = 0.45
#: Where people waiting for their turn stand: this far (m) back from the wall line, a
#: further step back for every two waiting ahead, and this far (m) beyond the doorway's
#: jambs to either side, leaving its axis clear for people coming through.
WAIT_BACK, WAIT_STEP, WAIT_BESIDE = 0.9, 0.5, 0.3
#: A velocity that would take a person into a wall or furniture within this many steps
#: turns by the first of these angles that does not.
KEEP_OFF_STEPS = 2
KEEP_OFF_TURNS = tuple(math.radians(sign * a) for a in (20, 40, 60, 80, 100) for sign in (1, -1))
#: People meeting someone head-on within this distance (m) bear right by this angle.
KEEP_RIGHT_NEAR, KEEP_RIGHT_TURN = 2.0, math.radians(25.0)
CROWD_MODELS = ("orca", "social_force")
SOCIAL_FORCE_PARAMS = ("helbing", "moussaid")


@dataclass(frozen=True)
class CrowdConfig:
    """How a crowd walks.

    Args:
        model: the local avoidance model, ``orca`` (``pyrvo``) or ``social_force``.
        social_force: the social force parameter set (``helbing`` or ``moussaid``).
        radius: each person's disc (m) as the avoidance model sees it (a little over the
            humanoids' body radius, 0.2 m: the bodies themselves never overlap).
        speed, pause: ranges (m/s, s) each person's walking speed and each pause at a goal
            are drawn from.
        goals: ``points`` (random navigable points at least ``min_goal_distance`` away) or
            ``errands`` (a random point of another room each time).
        goal_tolerance: how near (m) a goal counts as reached.
        give_up_after: seconds without getting nearer a goal after which a person takes
            another one (counted in :attr:`Crowd.goals_given_up`).
        group_share: the share of people who walk with another (a group of up to three
            follows its leader's goals and pauses).
        robot, robot_visible: the entity name of the robot the crowd sees (None: none),
            and whether it sees it (False: people walk as if it were absent).
        own_errands: each person's goals and pauses are a function of its own random
            stream alone (goals drawn round its previous goal, with room round them), not
            of where it or anyone else stands: a twin of the crowd without the robot gives
            everyone the same errands, so their timing compares goal for goal. Off, goals
            also keep away from other people and their goals.
    """

    model: str = "orca"
    social_force: str = "helbing"
    radius: float = 0.22
    speed: tuple[float, float] = (0.8, 1.3)
    pause: tuple[float, float] = (0.0, 3.0)
    goals: str = "points"
    min_goal_distance: float = 2.0
    goal_tolerance: float = 0.35
    give_up_after: float = 30.0
    group_share: float = 0.0
    robot: str | None = "robot"
    robot_visible: bool = True
    own_errands: bool = False

    def __post_init__(self):
        check_choice("crowd.model", self.model, CROWD_MODELS)
        check_choice("crowd.social_force", self.social_force, SOCIAL_FORCE_PARAMS)
        check_choice("crowd.goals", self.goals, GOALS)
        check_range("crowd.radius", self.radius, 0.1, 1.0)
        for name, high in (("speed", 2.0), ("pause", 600.0)):
            value = getattr(self, name)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ConfigError(f"crowd.{name}", value, reason="must be a pair (low, high)")
            check_range(f"crowd.{name}[0]", value[0], 0.0 if name == "pause" else 0.1, high)
            check_range(f"crowd.{name}[1]", value[1], value[0], high)
            object.__setattr__(self, name, (float(value[0]), float(value[1])))
        check_range("crowd.min_goal_distance", self.min_goal_distance, 0.0, 100.0)
        check_range("crowd.goal_tolerance", self.goal_tolerance, 0.05, 5.0)
        check_range("crowd.give_up_after", self.give_up_after, 1.0, 3600.0)
        check_range("crowd.group_share", self.group_share, 0.0, 1.0)
        if self.robot is not None and (not isinstance(self.robot, str) or not self.robot):
            raise ConfigError("crowd.robot", self.robot, reason="an entity name or None")
        for name in ("robot_visible", "own_errands"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"crowd.{name}", getattr(self, name), (True, False))


@dataclass
class Person:
    """What the crowd remembers of one person's walk."""

    speed: float = 1.0
    leader: int = -1                      # index of the person this one walks with, -1: none
    goal: tuple[float, float] | None = None
    path: tuple[tuple[float, float], ...] = ()
    waypoint: int = 1
    pause: float = 0.0                    # seconds of pause left
    best: float = math.inf                # nearest it has been to its goal (path length)
    stalled: float = 0.0                  # seconds without getting nearer
    reached: int = 0
    given_up: int = 0
    priority: float = 0.0                 # who gives way to whom in a jam (higher goes on)
    blocked: float = 0.0                  # seconds wanting to walk without moving
    yielding: float = 0.0                 # seconds left stepping aside for someone
    aside: tuple[float, float] = (0.0, 0.0)   # which way
    detours: int = 0                      # paths planned again round what stood in the way
    lost: bool = False                    # found no goal it could reach at its last look
    waiting: bool = False                 # lined up for its turn through a doorway
    errand_from: tuple[float, float] | None = None   # own errands: the previous goal
    errand_pause: float = 0.0             # own errands: the pause drawn with the goal


@dataclass(frozen=True)
class Passage:
    """A doorway people take turns through: its centre, the unit normal it is crossed
    along, and its half width (m)."""

    center: tuple[float, float]
    normal: tuple[float, float]
    half_width: float

    @property
    def tangent(self) -> tuple[float, float]:
        return (-self.normal[1], self.normal[0])


@dataclass
class Turn:
    """Whose turn a doorway is: the direction people cross it in now (+1 along its normal,
    -1 against, 0 nobody's) and for how long (s)."""

    direction: int = 0
    held: float = 0.0


def home_passages(home: "Home") -> list[Passage]:
    """The doorways of a home as passages."""
    return [Passage(tuple(d.center), (0.0, 1.0) if d.axis == "x" else (1.0, 0.0), d.width / 2)
            for d in home.layout.doorways]


def capacity(navmap, radius: float) -> int:
    """How many people of ``radius`` a navigation map's free area holds (one disc of twice
    the radius each: a crowd denser than that cannot keep people apart)."""
    area = float(np.count_nonzero(navmap.navigable)) * navmap.cell_size ** 2
    return int(area / (math.pi * (2.0 * radius) ** 2))


def home_obstacles(home: "Home") -> list[np.ndarray]:
    """Walls and standing furniture of a home as counter-clockwise rectangles."""
    from embodied.scenes.layout import footprint

    rects = [w.footprint for w in home.layout.walls]
    rects += [footprint(f.pos, f.yaw, f.size) for f in home.furniture if f.size[2] > 0.05]
    return [np.array([(r.xmin, r.ymin), (r.xmax, r.ymin), (r.xmax, r.ymax), (r.xmin, r.ymax)])
            for r in rects]


class Crowd(Entity):
    """Walks the humanoids named in ``people`` (see the module docs).

    Args:
        people: entity names of the humanoids the crowd walks.
        config: how they walk.
        obstacles: static obstacles as polygons for the avoidance model
            (:func:`home_obstacles`).
        passages: doorways people take turns through (:func:`home_passages`).
        name: the crowd's entity name.
    """

    def __init__(self, people: Sequence[str], config: CrowdConfig | None = None,
                 obstacles: Sequence[np.ndarray] = (), passages: Sequence[Passage] = (),
                 name: str = "crowd"):
        super().__init__(name)
        self.people = tuple(people)
        if not self.people or len(set(self.people)) != len(self.people):
            raise ConfigError("crowd.people", self.people, reason="must be distinct entity names")
        self.config = config or CrowdConfig()
        if not isinstance(self.config, CrowdConfig):
            raise ConfigError("crowd.config", self.config, reason="must be a CrowdConfig")
        self.obstacles = [np.asarray(p, float) for p in obstacles]
        self.passages = tuple(passages)
        self.turns = [Turn() for _ in self.passages]
        # the doorways' centres, normals, tangents and half widths stacked as arrays, and
        # per doorway its (centre, normal, tangent) rows
        self._passage_axes = tuple(np.array(v, float) for v in zip(*(
            (q.center, q.normal, q.tangent, q.half_width) for q in self.passages)))
        self._each_passage_axes = list(zip(*self._passage_axes[:3]))
        self._wait_spots = {}                # (passage, k, side) -> where the k-th waits
        self._robot_disc = None              # (x, y, radius) of the robot the crowd sees
        self._bodies = None                  # BodySpace of the people, once bound
        self._detour_map = (None, None)      # (robot disc, the path map with it occupied)
        self._anchor = None                  # a point of the path map's largest component
        kwargs = {"params": self.config.social_force} if self.config.model == "social_force" else {}
        self.model = make_model(self.config.model, **kwargs)
        self.persons = [Person() for _ in self.people]
        self._navmap = None

    # -- lifecycle ------------------------------------------------------------------------
    def bind(self, world: "World") -> None:
        names = list(world.entities)
        for person in self.people:
            entity = world.entity(person)
            if entity.category != "humanoid":
                raise ConfigError("crowd.people", person, reason="is not a humanoid")
            if names.index(person) < names.index(self.name):
                raise ConfigError("crowd", self.name, reason=f"must come before its people in "
                                  f"the World's entities ({person} comes first)")
        self._navmap = None          # the people's map is given after the World is built

    def _prepare(self, world: "World") -> None:
        navmap = world.entity(self.people[0]).navmap
        if navmap is None:
            raise ConfigError("crowd", self.name, reason="its people need a navigation map "
                              "(set humanoid.navmap before the World's reset)")
        if navmap is not self._navmap:
            limit = capacity(navmap, self.config.radius)
            if len(self.people) > limit:
                raise ConfigError("crowd.people", len(self.people),
                                  reason=f"this home holds at most {limit} people of radius "
                                         f"{self.config.radius} m")
            self.model.bind(navmap, self.obstacles)
            self._navmap = navmap
            self._bodies = BodySpace(len(self.people), world.entity(self.people[0]).config.body_radius)
            # paths keep a margin beyond the avoidance disc: people who walk scraping walls
            # have no room left to step aside for each other
            margin = self.config.radius + PATH_MARGIN
            self._paths = navmap if margin <= navmap.agent_radius else navmap.with_radius(margin)
            self._detour_map = (None, None)
            self._wait_spots = {}
            self._body_map = world.entity(self.people[0]).motion_map
            self._anchor = tuple(self._paths.sample_navigable(np.random.default_rng(0), 1)[0])

    def reset(self, world: "World") -> None:
        self._prepare(world)
        rng = world.rng(self.name)
        cfg = self.config
        self.persons = []
        for i, person in enumerate(self.people):
            stream = world.rng(f"{self.name}/{person}")
            speed, priority = float(stream.uniform(*cfg.speed)), float(stream.random())
            leader = -1
            if i and rng.random() < cfg.group_share:
                leaders = [j for j in range(i) if self.persons[j].leader < 0
                           and sum(p.leader == j for p in self.persons) < 2]
                if leaders:
                    leader = leaders[int(rng.integers(len(leaders)))]
            self.persons.append(Person(speed=speed, leader=leader, priority=priority))
        self.turns = [Turn() for _ in self.passages]

    def get_state(self):
        return list(self.persons), list(self.turns)

    def set_state(self, state) -> None:
        persons, turns = state
        self.persons = [replace(p) for p in persons]
        self.turns = [replace(t) for t in turns]

    # -- the step ---------------------------------------------------------------------------
    def before_control(self, world: "World") -> None:
        if self._navmap is None:
            self._prepare(world)
        dt, cfg = world.dt, self.config
        humans = [world.entities[p] for p in self.people]
        n = len(humans)
        pos = np.array([h.xy for h in humans], dtype=float).reshape(n, 2)
        vel = np.array([h.velocity_xy for h in humans], dtype=float).reshape(n, 2)
        pref = np.zeros((n, 2))
        robot = world.entities.get(cfg.robot) if cfg.robot and cfg.robot_visible else None
        self._robot_disc = robot_yaw = None
        if robot is not None:
            x, y, robot_yaw = robot.get_pose(world)
            radius = float(getattr(getattr(robot, "constants", None), "base_radius", 0.3))
            self._robot_disc = (float(x), float(y), radius)
        for i, p in enumerate(self.persons):
            if p.leader < 0:
                pref[i] = self._plan(world, i, p, pos, dt)
        for i, p in enumerate(self.persons):
            if p.leader >= 0:
                pref[i] = self._follow(i, p, pos, pref)
        for p in self.persons:
            p.waiting = False
        near = self._near_passages(pos)
        for passage, axes, turn, someone in zip(self.passages, self._each_passage_axes, self.turns, near):
            if someone:
                self._take_turns(passage, axes, turn, pos, pref, dt)
            else:                       # what _take_turns does with nobody near
                turn.direction, turn.held = 0, 0.0
        self._keep_right(pos, pref)
        self._unjam(pos, vel, pref, dt)
        agents = Agents(pos=pos, vel=vel, pref=pref, radius=np.full(n, cfg.radius),
                        max_speed=np.array([max(p.speed, 0.1) * 1.2 for p in self.persons]),
                        group=self._groups())
        if robot is not None:
            x, y, radius = self._robot_disc
            forward = float(robot.base_velocity(world)[0])
            agents.robot_pos = np.array([x, y])
            agents.robot_vel = np.array([forward * math.cos(robot_yaw), forward * math.sin(robot_yaw)])
            agents.robot_radius = radius
        velocities = self.model.velocities(agents, dt)
        self._keep_off_obstacles(self._body_map, pos, velocities, dt)
        self._bodies.update(pos, [self._robot_disc] if self._robot_disc is not None else [])
        for i, (h, (vx, vy)) in enumerate(zip(humans, velocities.tolist())):
            h.steer(vx, vy, WALKING_TURN)
            h.body_space = (self._bodies, i)

    @staticmethod
    def _keep_off_obstacles(motion_map: "NavMap", pos: np.ndarray, velocities: np.ndarray,
                            dt: float) -> None:
        """Turn velocities that would walk people into a wall or furniture (as the map their
        bodies move on has it: its corners are square, where the avoidance model's are
        round) to the nearest heading that does not."""
        for i, (vx, vy) in enumerate(velocities.tolist()):
            speed = math.hypot(vx, vy)
            if speed < 0.05:
                continue
            x, y = float(pos[i][0]), float(pos[i][1])
            reach = max(speed * dt * KEEP_OFF_STEPS, 0.05) / speed
            if motion_map.is_navigable((x + vx * reach, y + vy * reach)):
                continue
            heading = math.atan2(vy, vx)
            for turn in KEEP_OFF_TURNS:
                a = heading + turn
                if motion_map.is_navigable((x + math.cos(a) * speed * reach, y + math.sin(a) * speed * reach)):
                    velocities[i] = (speed * math.cos(a), speed * math.sin(a))
                    break

    def _groups(self) -> np.ndarray:
        """Group ids: a leader's index for it and its followers, -1 for people alone."""
        led = {p.leader for p in self.persons}
        return np.array([p.leader if p.leader >= 0 else (i if i in led else -1)
                         for i, p in enumerate(self.persons)])

    def _plan(self, world: "World", i: int, p: Person, pos: np.ndarray, dt: float) -> np.ndarray:
        """Advance person ``i``'s plan by one step; its preferred velocity."""
        cfg, here = self.config, pos[i]
        if p.pause > 0.0:
            p.pause = max(p.pause - dt, 0.0)
            return np.zeros(2)
        if p.goal is None and not self._new_goal(world, i, p, pos):
            return np.zeros(2)
        remaining = self._advance(p, here, look=(world.step_count + i) % LOOK_EVERY == 0)
        if remaining <= cfg.goal_tolerance or self._taken(i, p, pos, remaining):
            p.reached += 1
            p.goal, p.path = None, ()
            p.pause = p.errand_pause if cfg.own_errands else float(
                world.rng(f"{self.name}/{self.people[i]}").uniform(*cfg.pause))
            return np.zeros(2)
        if remaining < p.best - 0.05:
            p.best, p.stalled = remaining, 0.0
        elif not p.waiting:                   # lined up at a doorway is not stuck
            p.stalled += dt
            if p.stalled > DETOUR_AFTER * (p.detours + 1) and p.detours < DETOURS:
                self._detour(i, p, pos)
                return np.zeros(2)
            if p.stalled > cfg.give_up_after:
                p.given_up += 1
                p.goal, p.path = None, ()
                return np.zeros(2)
        tx, ty = p.path[p.waypoint]
        d = math.hypot(tx - here[0], ty - here[1])
        speed = min(p.speed, max(0.3, 1.5 * remaining))
        return np.array([(tx - here[0]) / d * speed, (ty - here[1]) / d * speed]) if d > 1e-9 else np.zeros(2)

    def _taken(self, i: int, p: Person, pos: np.ndarray, remaining: float) -> bool:
        """Whether person ``i`` is as near its goal as it can get: someone else stands on
        it and ``i`` is just a body away (people stop beside an occupied spot)."""
        body = 2.0 * self._bodies.radius
        if remaining > self.config.goal_tolerance + body + 0.1:
            return False
        gx, gy = p.goal
        return any(math.hypot(x - gx, y - gy) < body + 0.05
                   for j, (x, y) in enumerate(pos.tolist()) if j != i)

    def _detour(self, i: int, p: Person, pos: np.ndarray) -> None:
        """Plan person ``i``'s way to its goal again from where it is, round the robot if
        it stands in the way (the path it has is kept when there is no way round)."""
        here = (float(pos[i][0]), float(pos[i][1]))
        ahead = [here, *p.path[p.waypoint:p.waypoint + 2]]
        paths = self._paths
        if self._robot_disc is not None and len(ahead) > 1:
            x, y, r = self._robot_disc
            if math.dist(here, (x, y)) < DETOUR_NEAR and min(
                    segment_distance((x, y), a, b) for a, b in zip(ahead, ahead[1:])) < r + paths.agent_radius + 0.1:
                paths = self._map_without_robot()
        p.detours += 1
        path = paths.shortest_path(here, p.goal)
        if path is not None:
            detours = p.detours
            self._set_path(p, _walk_from(here, path))
            p.detours = detours

    def _map_without_robot(self) -> "NavMap":
        """The people's path map with the robot's footprint occupied (kept while the robot
        stays within a few centimetres)."""
        disc = tuple(round(v, 1) for v in self._robot_disc)
        if self._detour_map[0] != disc:
            self._detour_map = (disc, self._paths.with_discs([disc]))
        return self._detour_map[1]

    def _set_path(self, p: Person, path: tuple[tuple[float, float], ...]) -> None:
        """Walk ``path`` from its first waypoint on."""
        p.path = path
        p.waypoint, p.best, p.stalled = 1, math.inf, 0.0

    def _advance(self, p: Person, here: np.ndarray, look: bool) -> float:
        """Move the waypoint on (past reached ones and, when ``look``, to the next one in
        clear view); the path length still to go."""
        nav, path = self._paths, p.path
        x, y = float(here[0]), float(here[1])
        last = len(path) - 1
        while p.waypoint < last and math.hypot(path[p.waypoint][0] - x, path[p.waypoint][1] - y) < 0.3:
            p.waypoint += 1
        if look and p.waypoint < last and nav.line_of_sight((x, y), path[p.waypoint + 1]):
            p.waypoint += 1
        pts = [(x, y), *path[p.waypoint:]]
        return sum(math.dist(a, b) for a, b in zip(pts, pts[1:]))

    def _new_goal(self, world: "World", i: int, p: Person, pos: np.ndarray) -> bool:
        """Draw person ``i``'s next goal and plan its path (the first of a few candidates
        far enough away, reachable, roomy and away from other people and their goals, else
        the best of them); False (counted) if none could be."""
        cfg, nav = self.config, self._paths
        rng = world.rng(f"{self.name}/{self.people[i]}")
        start = (float(pos[i][0]), float(pos[i][1]))
        if not nav.connected(start, self._anchor):
            nav = self._navmap     # in a corner the wider paths do not reach: out at body size
        if cfg.own_errands:
            return self._own_errand(rng, p, start, nav)
        others = [tuple(pos[j]) for j in range(len(pos)) if j != i]
        others += [q.goal for j, q in enumerate(self.persons) if j != i and q.goal is not None]
        rooms = list(nav.rooms)
        best, best_score = None, -math.inf
        for _ in range(GOAL_CANDIDATES):
            room = None
            if cfg.goals == "errands" and len(rooms) > 1:
                current = nav.room_at(start)
                choices = [r for r in rooms if r != current]
                room = choices[int(rng.integers(len(choices)))]
            goal = nav.sample_navigable(rng, 1, room)[0]
            if math.dist(goal, start) < cfg.min_goal_distance and cfg.goals == "points":
                continue
            if not nav.connected(start, goal):
                continue
            free = min((math.dist(goal, o) for o in others), default=math.inf)
            score = min(nav.clearance_at(goal) / GOAL_CLEARANCE, free / GOAL_FREE, 1.0)
            if score > best_score:
                best, best_score = goal, score
                if score >= 1.0:
                    break
        path = nav.shortest_path(start, best) if best is not None else None
        if path is None:
            p.given_up += 0 if p.lost else 1    # counted once however long it stays lost
            p.lost, p.pause = True, 1.0         # look again in a second
            return False
        p.lost = False
        p.goal = (float(best[0]), float(best[1]))
        p.detours = 0
        self._set_path(p, _walk_from(start, path))
        return True

    def _own_errand(self, rng: np.random.Generator, p: Person, start: tuple[float, float],
                    nav: "NavMap") -> bool:
        """``own_errands``: the person's next goal and pause from its stream alone (always
        the same draws: candidates round its previous goal, the roomiest of the first
        far enough), then its path there from where it stands."""
        cfg = self.config
        origin = p.errand_from or start
        room, rooms = None, list(self._paths.rooms)
        if cfg.goals == "errands" and len(rooms) > 1:
            here = self._paths.room_at(origin)
            choices = [r for r in rooms if r != here]
            room = choices[int(rng.integers(len(choices)))]
        candidates = self._paths.sample_navigable(rng, GOAL_CANDIDATES, room)
        pause = float(rng.uniform(*cfg.pause))
        far = [c for c in candidates if math.dist(c, origin) >= cfg.min_goal_distance] or list(candidates)
        best = max(far, key=lambda c: min(self._paths.clearance_at(c) / GOAL_CLEARANCE, 1.0))
        p.errand_from = p.goal = (float(best[0]), float(best[1]))
        p.errand_pause, p.detours = pause, 0
        path = nav.shortest_path(start, p.goal)
        if path is None:                     # walled off from it for now: the next one
            p.given_up += 1
            p.goal, p.pause = None, 1.0
            return False
        p.lost = False
        self._set_path(p, _walk_from(start, path))
        return True

    @staticmethod
    def _keep_right(pos: np.ndarray, pref: np.ndarray) -> None:
        """People who meet someone coming the other way head-on bear right (so two in a
        narrow way pass each other instead of both stepping the same way)."""
        n = len(pos)
        if n < 2:
            return
        speed = np.linalg.norm(pref, axis=1)
        heading = pref / np.maximum(speed, 1e-9)[:, None]
        gap = pos[None, :, :] - pos[:, None, :]                 # i -> j
        dist = np.linalg.norm(gap, axis=2)
        ahead = np.einsum("ik,ijk->ij", heading, gap)           # j ahead of i along i's way
        lateral = np.abs(heading[:, 0, None] * gap[:, :, 1] - heading[:, 1, None] * gap[:, :, 0])
        facing = heading @ heading.T                            # cosine between their ways
        meets = (dist < KEEP_RIGHT_NEAR) & (ahead > 0.0) & (lateral < 0.6) & (facing < -0.5)
        meets &= (speed[:, None] > 0.1) & (speed[None, :] > 0.1)
        c, s_ = math.cos(-KEEP_RIGHT_TURN), math.sin(-KEEP_RIGHT_TURN)
        for i in np.flatnonzero(meets.any(axis=1)).tolist():
            x, y = pref[i]
            pref[i] = (c * x - s_ * y, s_ * x + c * y)

    def _near_passages(self, pos: np.ndarray) -> list[bool]:
        """Per doorway: whether anyone may be near enough to take turns through it (all at
        once, with a centimetre to spare, so that :meth:`_take_turns`, which decides, runs
        only where someone is)."""
        if not self.passages:
            return []
        c, n, t, half = self._passage_axes
        gap = pos[None, :, :] - c[:, None, :]
        side = np.abs(np.einsum("pij,pj->pi", gap, n))
        along = np.abs(np.einsum("pij,pj->pi", gap, t))
        reach = DOOR_APPROACH + 0.01
        return ((side < reach) & (along < half[:, None] + reach)).any(axis=1).tolist()

    def _take_turns(self, passage: Passage, axes, turn: Turn, pos: np.ndarray,
                    pref: np.ndarray, dt: float) -> None:
        """One direction through a doorway at a time: people about to cross it against the
        direction whose turn it is line up beside it, off its axis, until their turn (which
        comes when nobody is coming the other way, or after :data:`DOOR_TURN` seconds);
        ``axes``: its centre, normal and tangent as arrays."""
        c, n, t = axes
        side = (pos - c) @ n
        along = (pos - c) @ t
        near = (np.abs(side) < DOOR_APPROACH) & (np.abs(along) < passage.half_width + DOOR_APPROACH)
        coming = {1: [], -1: []}       # direction -> [(|side|, person)] of who will cross
        inside = set()
        for i in np.flatnonzero(near).tolist():
            p = self.persons[i]
            if p.yielding > 0.0 or pref[i] @ pref[i] < 1e-4:
                continue
            crossing = self._crossing(i, p, pos[i], passage)
            if crossing == 0:
                continue
            if abs(side[i]) < DOOR_INSIDE and abs(along[i]) < passage.half_width + 0.1:
                inside.add(crossing)
            else:
                coming[crossing].append((abs(float(side[i])), i))
        if len(inside) == 1:
            direction = inside.pop()
        elif inside:                    # both ways at once already: nobody else goes in
            direction = 0
        elif coming[1] or coming[-1]:
            first = {d: min(q)[0] for d, q in coming.items() if q}
            direction = min(first, key=lambda d: (first[d], d))   # the nearest goes first
            if turn.direction in first and not (-turn.direction in first and turn.held > DOOR_TURN):
                direction = turn.direction
        else:
            direction = 0
        turn.held = turn.held + dt if direction and direction == turn.direction else 0.0
        turn.direction = direction
        for wait in ((-direction,) if direction else (1, -1) if inside else ()):
            for k, (_, i) in enumerate(sorted(coming[wait])):
                self.persons[i].waiting = True
                pref[i] = self._to_wait_spot(passage, axes, k, -float(wait), pos[i],
                                             self.persons[i].speed)

    def _crossing(self, i: int, p: Person, here: np.ndarray, passage: Passage) -> int:
        """+1 or -1 if person ``i``'s next stretch of path crosses the doorway along or
        against its normal, 0 if it does not."""
        if p.leader >= 0:
            p = self.persons[p.leader]
        c, n, t = passage.center, passage.normal, passage.tangent
        # the path as planned (from the waypoint it last reached): pushed aside by others,
        # a person's straight line to its next waypoint may cut past the doorway's jamb
        start = max(p.waypoint - 1, 0)
        pts = [(float(here[0]), float(here[1])) if start == 0 else p.path[start],
               *p.path[start + 1:p.waypoint + 2]]
        for a, b in zip(pts, pts[1:]):
            sa = (a[0] - c[0]) * n[0] + (a[1] - c[1]) * n[1]
            sb = (b[0] - c[0]) * n[0] + (b[1] - c[1]) * n[1]
            if (sa < 0.0) == (sb < 0.0) or sa == sb:
                continue
            f = sa / (sa - sb)
            x, y = a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
            if abs((x - c[0]) * t[0] + (y - c[1]) * t[1]) <= passage.half_width + 0.1:
                return 1 if sb > sa else -1
        return 0

    def _to_wait_spot(self, passage: Passage, axes, k: int, side: float, here: np.ndarray,
                      speed: float) -> np.ndarray:
        """The preferred velocity of the ``k``-th person lined up on ``side`` of a doorway
        towards its place (beside the doorway, alternately left and right of its axis);
        ``axes``: the doorway's centre, normal and tangent as arrays."""
        spot = self._wait_spots.get((passage, k, side))
        if spot is None:                # the same place every step: found once per map
            c, n, t = axes
            back = WAIT_BACK + WAIT_STEP * (k // 2)
            beside = passage.half_width + WAIT_BESIDE
            for lateral in ((1.0, -1.0) if k % 2 == 0 else (-1.0, 1.0)):
                candidate = c + n * side * back + t * lateral * beside
                if self._paths.is_navigable((float(candidate[0]), float(candidate[1]))):
                    spot = candidate
                    break
            if spot is None:
                spot = c + n * side * (back + beside)
            self._wait_spots[(passage, k, side)] = spot
        gap = spot - here
        dist = float(np.linalg.norm(gap))
        return np.zeros(2) if dist < 0.1 else _arriving(gap, dist, speed, 0.2)

    def _unjam(self, pos: np.ndarray, vel: np.ndarray, pref: np.ndarray, dt: float) -> None:
        """Who has wanted to walk for a while without moving steps aside, for a while, from
        the nearest neighbour who goes first (a higher priority), so that a knot of people
        who all wait for each other comes apart."""
        speed = np.linalg.norm(vel, axis=1)
        wants = np.linalg.norm(pref, axis=1) > 0.1
        for i, p in enumerate(self.persons):
            p.blocked = p.blocked + dt if wants[i] and speed[i] < 0.1 else 0.0
        for i, p in enumerate(self.persons):
            if p.yielding > 0.0:
                p.yielding = max(p.yielding - dt, 0.0)
            elif p.blocked > UNJAM_AFTER:
                gap = pos - pos[i]
                dist = np.linalg.norm(gap, axis=1)
                first = [j for j in np.flatnonzero(dist < 1.0)
                         if j != i and self.persons[j].priority > p.priority]
                if first:
                    away = -gap[min(first, key=lambda j: dist[j])]
                    aside = self._free_way(pos[i], away)
                    if aside is not None:
                        p.yielding, p.aside = UNJAM_FOR, aside
            if p.yielding > 0.0:
                away = np.asarray(p.aside)
                pref[i] = away / max(np.linalg.norm(away), 1e-9) * 0.5

    def _free_way(self, here: np.ndarray, away: np.ndarray) -> tuple[float, float] | None:
        """``away`` or the nearest turn of it (up to a right angle) with room to step into
        (not into a wall or furniture); None if there is none."""
        heading = math.atan2(away[1], away[0])
        for turn in (0.0, 0.25, -0.25, 0.5, -0.5):
            a = heading + math.pi * turn
            step = (float(here[0] + 0.4 * math.cos(a)), float(here[1] + 0.4 * math.sin(a)))
            if self._navmap.is_navigable(step):
                return (math.cos(a), math.sin(a))
        return None

    def _follow(self, i: int, p: Person, pos: np.ndarray, pref: np.ndarray) -> np.ndarray:
        """A group member walks beside its leader (to its side, then at its pace)."""
        leader = self.persons[p.leader]
        p.pause = leader.pause
        lead = pref[p.leader]
        side = 1.0 if (i % 2) else -1.0
        heading = lead / np.linalg.norm(lead) if np.linalg.norm(lead) > 1e-6 else np.array([1.0, 0.0])
        spot = pos[p.leader] + 0.7 * side * np.array([-heading[1], heading[0]])
        gap = spot - pos[i]
        dist = float(np.linalg.norm(gap))
        if dist < 0.3:
            return lead.copy()
        return _arriving(gap, dist, p.speed * 1.2, 0.3)

    # -- reports ------------------------------------------------------------------------------
    @property
    def goals_reached(self) -> int:
        return sum(p.reached for p in self.persons)

    @property
    def goals_given_up(self) -> int:
        return sum(p.given_up for p in self.persons)


def _arriving(gap: np.ndarray, dist: float, top: float, slowest: float) -> np.ndarray:
    """The velocity along ``gap`` (``dist`` long) of someone walking there at up to ``top``
    m/s and slowing down on arrival, to no less than ``slowest``."""
    return gap / dist * min(top, max(slowest, 1.5 * dist))


def _walk_from(here: tuple[float, float], path: np.ndarray) -> tuple[tuple[float, float], ...]:
    """A planned path as waypoints walked from ``here`` (where the person stands, not the
    point the plan snapped it to)."""
    return (here, *((float(a), float(b)) for a, b in path[1:]))


def place_people(world: "World", crowd: Crowd, rng: np.random.Generator,
                 keep_clear: Sequence[tuple[float, float, float]] = (), tries: int = 400,
                 people: Sequence[str] | None = None) -> None:
    """Put the crowd's people (or those of ``people``) on free navigable points (their
    discs apart, and clear of the ``(x, y, radius)`` discs given, e.g. the robot) facing
    random ways, through ``set_pose``. EpisodeInitError when the draws leave no room."""
    navmap = world.entity(crowd.people[0]).navmap
    r = crowd.config.radius
    taken = [(float(x), float(y), float(rr)) for x, y, rr in keep_clear]
    for person in (crowd.people if people is None else people):
        for _ in range(tries):
            x, y = navmap.sample_navigable(rng, 1)[0]
            if all(math.hypot(x - a, y - b) >= r + rr + 0.1 for a, b, rr in taken):
                break
        else:
            raise EpisodeInitError(f"no free place for {person} among {len(taken)} others")
        taken.append((float(x), float(y), r))
        world.entity(person).set_pose(world, (float(x), float(y)), float(rng.uniform(-math.pi, math.pi)))


__all__ = ["Crowd", "CrowdConfig", "Passage", "Person", "Turn", "capacity", "home_obstacles",
           "home_passages", "place_people"]
