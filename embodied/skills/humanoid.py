"""Humanoid skills: what a humanoid does, step by step, through its one controller.

Each skill's ``update(humanoid, world)`` runs once per control step before the gait
(``humanoid.run(skill)``); it sets velocity commands and reach goals and reports its
:class:`~embodied.skills.base.Status`. See :mod:`embodied.skills.base` for what all
skills share.

Available: :class:`WalkTo` (a point, along a nav-map path), :class:`Face`,
:class:`Reach`, :class:`Pick`, :class:`Place`, :func:`PickAndPlace`, :class:`PutDown`,
:class:`Wander` (walk between random navigable points), :class:`Teleop` (keyboard or
policy commands), and the shared :class:`Wait` and :class:`Sequence`.
``TURN_IN_PLACE`` is the heading error above which humanoids turn on the spot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embodied.agents.humanoid.humanoid import TURN_IN_PLACE
from embodied.agents.humanoid.reach import ReachStatus
from embodied.errors import check_range
from embodied.geometry import wrap_angle
from embodied.skills.base import Sequence, Skill, Status, Wait, active
from embodied.skills.placement import detour_map, nearest_in_rect, standing_point

if TYPE_CHECKING:
    from embodied.agents.humanoid.humanoid import Humanoid
    from embodied.sim.world import World


@dataclass
class Face(Skill):
    """Turn in place towards a point (x, y)."""

    point: tuple[float, float] = (0.0, 0.0)
    tolerance: float = math.radians(4.0)

    def _update(self, h, world):
        dx, dy = self.point[0] - h.position[0], self.point[1] - h.position[1]
        yaw = math.atan2(dy, dx)
        err = wrap_angle(yaw - h.yaw)
        if abs(err) <= self.tolerance and not h.gait.state.stepping:
            h.stop()
            self.done()
            return
        h.walk(0.0, max(-1.2, min(1.2, 3.0 * err)) if abs(err) > self.tolerance else 0.0)
        if self.steps * world.dt > 10.0:
            self.fail("could not face the point in 10 s")


@dataclass
class WalkTo(Skill):
    """Walk to ``goal`` (x, y) along the humanoid's nav-map path (a straight line when it
    has no map), turning in place at sharp corners; optionally face ``face`` at the end."""

    goal: tuple[float, float] = (0.0, 0.0)
    speed: float = 1.0
    tolerance: float = 0.15
    face: tuple[float, float] | None = None
    timeout: float | None = None          # seconds; default from the path length
    avoid: tuple[tuple[float, float, float], ...] = ()   # extra discs (x, y, r) to walk round
    path: list[tuple[float, float]] | None = None
    waypoint: int = 1
    best_remaining: float = math.inf      # progress watch: replan when stuck
    last_progress: int = 0
    replans: int = 0
    _facing: Face | None = None

    def __post_init__(self):
        check_range("speed", self.speed, 0.05, 3.0)
        check_range("tolerance", self.tolerance, 0.01, 2.0)
        self.goal = (float(self.goal[0]), float(self.goal[1]))

    def _map(self, h):
        """The map to plan on: the humanoid's, with the :attr:`avoid` discs when there are."""
        if not self.avoid or h.navmap is None:
            return h.navmap
        return detour_map(h.navmap, self.avoid)

    def _plan(self, h) -> bool:
        start = h.xy
        if h.navmap is None:
            self.path = [start, self.goal]
        else:
            path = self._map(h).shortest_path(start, self.goal)
            if path is None:
                self.fail(f"no navigable path to {self.goal}")
                return False
            self.path = [(float(x), float(y)) for x, y in path]
            self.path[0] = start
        self.waypoint = 1
        if self.timeout is None:
            length = sum(math.dist(a, b) for a, b in zip(self.path, self.path[1:]))
            self.timeout = 10.0 + 3.0 * length / self.speed
        return True

    def _update(self, h, world):
        if self._facing is not None:
            self._facing.update(h, world)
            if not self._facing.running:
                self.status, self.reason = self._facing.status, self._facing.reason
            return
        if self.path is None and not self._plan(h):
            return
        if self.steps * world.dt > self.timeout:
            h.stop()
            self.fail(f"timed out after {self.timeout:.1f} s, {self._remaining(h):.2f} m from the goal")
            return
        x, y = h.xy
        end = self.path[-1]
        if math.dist((x, y), end) <= self.tolerance:
            h.stop()
            if self.face is not None:
                self._facing = Face(point=self.face)
            else:
                self.done()
            return
        self._advance_waypoint(h, x, y)
        remaining = self._remaining(h)
        if remaining < self.best_remaining - 0.05:
            self.best_remaining, self.last_progress = remaining, self.steps
        elif self.steps - self.last_progress > 60 and self.replans < 3 and h.navmap is not None:
            # held up (an obstacle corner, a blocked slide): plan again from here
            self.replans += 1
            self.last_progress, self.best_remaining = self.steps, math.inf
            if not self._plan(h):
                return
        tx, ty = self.path[self.waypoint]
        speed = min(self.speed, max(0.25, 1.5 * remaining))
        h.head(math.atan2(ty - y, tx - x), speed)

    def _advance_waypoint(self, h, x: float, y: float) -> None:
        """Aim at the furthest path vertex in straight, clear view (never cutting corners
        through obstacles), once the current one is nearly reached or visible beyond."""
        last = len(self.path) - 1
        while self.waypoint < last and math.dist((x, y), self.path[self.waypoint]) < 0.1:
            self.waypoint += 1
        motion = h.motion_map if not self.avoid else self._map(h)
        if motion is None or self.steps % 6:      # looking ahead 5 times a second is enough
            return
        while self.waypoint < last and motion.line_of_sight((x, y), self.path[self.waypoint + 1]):
            self.waypoint += 1

    def _remaining(self, h) -> float:
        x, y = h.xy
        pts = [(x, y)] + self.path[self.waypoint:]
        return sum(math.dist(a, b) for a, b in zip(pts, pts[1:]))


def walking(skill: Skill | None) -> "WalkTo | None":
    """The running :class:`WalkTo` a skill is carrying out now (itself or a sub-skill)."""
    return active(skill, WalkTo)


@dataclass
class Reach(Skill):
    """Move a hand to a world point; fails with the remaining distance if out of reach."""

    target: tuple[float, float, float] = (0.0, 0.0, 1.0)
    side: str = "r"
    started: bool = False

    def _update(self, h, world):
        if not self.started:
            h.stop()
            if h.gait.state.stepping:
                return          # wait for both feet to be down
            h.reach(self.target, self.side)
            self.started = True
        status = h.reach_status
        if status is ReachStatus.REACHED:
            self.done()
        elif status is ReachStatus.UNREACHABLE:
            self.fail(f"target out of reach ({h.reach_error:.2f} m short)")
        elif status is not ReachStatus.RUNNING:
            self.fail("reach interrupted")


def _stand_point(h: "Humanoid", target_xy, reach: float,
                 avoid: tuple[tuple[float, float, float], ...] = ()) -> tuple[float, float] | None:
    """Where to stand to act on ``target_xy``: the nearest navigable point (or, without a
    map, a point ``0.8 * reach`` short of it on the line from the humanoid); ``avoid``:
    discs (x, y, r) to keep out of (someone standing where the humanoid would)."""
    tx, ty = float(target_xy[0]), float(target_xy[1])
    if h.navmap is None:
        x, y = h.xy
        d = math.hypot(tx - x, ty - y)
        if d <= 0.8 * reach:
            return x, y
        k = (d - 0.8 * reach) / d
        return x + k * (tx - x), y + k * (ty - y)
    if h.navmap.is_navigable((tx, ty)):
        # free space (e.g. an object on the floor): stand a little way back from it
        x, y = h.xy
        d = math.hypot(tx - x, ty - y)
        if d > 0.45:
            k = (d - 0.45) / d
            return x + k * (tx - x), y + k * (ty - y)
        return x, y
    # the nearest navigable point, or (cut off from the humanoid: a pocket behind
    # furniture) the nearest one it can walk to, within the pick radius
    navmap = detour_map(h.navmap, avoid) if avoid else h.navmap
    return standing_point(navmap, h.xy, (tx, ty), h.config.pick_radius)


def horizontal_reach(h: "Humanoid") -> float:
    """How far from the root (horizontally) a hand can comfortably reach."""
    return h.avatar.shape.arm_length + 0.12


def _within_reach(h: "Humanoid", stand, point) -> np.ndarray:
    """``point`` (3-D) if an arm can get there from ``stand``, else the point on the way
    to it (horizontally, at a comfortable height) where the arm can."""
    point = np.asarray(point, dtype=float)
    d = math.dist(stand, point[:2])
    limit = horizontal_reach(h) - 0.1
    if d <= limit:
        return point
    k = limit / d
    x = stand[0] + k * (point[0] - stand[0])
    y = stand[1] + k * (point[1] - stand[1])
    shape = h.avatar.shape
    return np.array([x, y, min(max(point[2], 0.75 * shape.hip_height), shape.shoulder_height)])


@dataclass
class _ReachThenSnap(Skill):
    """Shared stages of :class:`Pick` and :class:`Place`: reach towards a goal from where
    the humanoid stands and, with ``snap``, accept a goal the arm cannot get to."""

    snap: bool = True
    snapped: bool = False
    stage: str = "start"
    child: Skill | None = None
    avoid: tuple[tuple[float, float, float], ...] = ()   # discs to stand and walk clear of
    asked_clear_of: tuple[tuple[float, float, float], ...] = ()   # the last stand_clear_of

    def _stand(self, h, target_xy, acts_on=None) -> tuple[float, float] | None:
        """Where to stand for ``target_xy``: clear of :attr:`avoid` when there is such a
        place within ``pick_radius`` of it (or of ``acts_on(place)``, the point acted on
        from there) reachable round them, else the usual one, walked to the usual way (to
        wait there for the way to clear)."""
        reach = horizontal_reach(h)
        clear = _stand_point(h, target_xy, reach, self.avoid) if self.avoid else None
        if clear is not None and math.dist(clear, (acts_on or (lambda q: target_xy))(clear)) \
                <= h.config.pick_radius:
            return clear
        self.avoid = ()
        return _stand_point(h, target_xy, reach)

    def stand_clear_of(self, discs: tuple[tuple[float, float, float], ...]) -> None:
        """Choose the standing place again, out of ``discs`` (an agent standing where the
        humanoid was going to), and walk there round them; only while still walking."""
        if self.stage == "approach":
            self.avoid, self.asked_clear_of, self.stage, self.child = discs, discs, "start", None

    def _start_reach(self, h, goal, side: str) -> tuple[float, float, float]:
        """Reach for ``goal`` (or the nearest point the arm can get to); returns the target."""
        goal = np.asarray(goal, dtype=float)
        target = _within_reach(h, h.position, goal)
        self.snapped = bool(np.any(target != goal))
        self.child = Reach(target=tuple(target.tolist()), side=side)
        self.stage = "reach"
        return self.child.target

    def _reach_finished(self, h, world, may_snap: bool) -> bool:
        """Step the reach; True once it has ended in a usable state (reached, or failed
        but snapping is allowed: then :attr:`snapped` is set). Fails this behaviour when
        the reach failed and may not snap."""
        self.child.update(h, world)
        if self.child.running:
            return False
        if self.child.status is Status.FAILED:
            if not (self.snap and may_snap):
                self.fail(f"reach: {self.child.reason}")
                return False
            self.snapped = True
        return True


@dataclass
class Pick(_ReachThenSnap):
    """Walk next to an object, reach it, grasp it and bring it to the carrying posture.

    An object the hand cannot reach from the nearest standing place (the middle of a
    bed, the floor) but within ``config.pick_radius`` of it is, with ``snap`` (default),
    reached towards and then snapped into the hand, as Habitat 3.0's humanoids do for
    every pick; :attr:`snapped` tells which happened. Without ``snap`` such picks fail.
    """

    object: str = ""                 # body name, e.g. "obj/mug_2/body"
    side: str = "r"
    walk: bool = True

    def _update(self, h, world):
        body = world.body_id(self.object)
        p = world.data.xpos[body]
        if self.stage == "start":
            if h.holding is not None:
                self.fail("already holding an object")
                return
            stand = self._stand(h, p[:2]) if self.walk else (h.position[0], h.position[1])
            if stand is None:
                self.fail(f"no navigable place near {self.object}")
                return
            d = math.dist(stand, p[:2])
            if d > horizontal_reach(h) and not (self.snap and d <= h.config.pick_radius):
                self.fail(f"{self.object} is {d:.2f} m from the nearest standing place, beyond reach")
                return
            self.child = WalkTo(goal=stand, face=(float(p[0]), float(p[1])), tolerance=0.08,
                                avoid=self.avoid)
            self.stage = "approach"
        if self.stage == "approach":
            if not self._run_child(h, world):
                return
            self._start_reach(h, p, self.side)
        if self.stage == "reach":
            if not self._reach_finished(h, world, may_snap=True):
                return
            if not h.grasp(world, body, self.side, snap=self.snapped):
                self.fail(f"{self.object} is out of reach (further than "
                          f"{h.config.pick_radius} m)" if self.snapped else
                          f"hand did not get close enough to {self.object}")
                h.retract()
                return
            h.retract()
            self.stage = "retract"
            return
        if self.stage == "retract" and h.upper_body == "carrying":
            self.done()


@dataclass
class Place(_ReachThenSnap):
    """Carry the held object to a surface and set it down upright there.

    ``surface`` is ``(height, (xmin, ymin, xmax, ymax))`` (see :func:`surfaces_of`);
    ``point`` (x, y) optionally fixes where on it. As for :class:`Pick`, a point the
    hand cannot reach but within ``config.pick_radius`` is, with ``snap``, reached
    towards and the object snapped onto it (:attr:`snapped`).
    """

    surface: tuple[float, tuple[float, float, float, float]] = (0.0, (0.0, 0.0, 0.0, 0.0))
    point: tuple[float, float] | None = None
    margin: float = 0.08
    goal: tuple[float, float, float] | None = None
    chose_point: bool = False        # the point was chosen here (nearest the standing place)

    def stand_clear_of(self, discs):
        if self.stage == "approach" and self.chose_point:
            self.point = None            # nearest to the new standing place instead
        super().stand_clear_of(discs)

    def _update(self, h, world):
        height, (x0, y0, x1, y1) = self.surface
        if self.stage == "start":
            if h.holding is None:
                self.fail("not holding an object")
                return
            cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
            stand = self._stand(h, self.point or (cx, cy), lambda q: self.point or nearest_in_rect(
                q, (x0, y0, x1, y1), self.margin))
            if stand is None:
                self.fail("no navigable place next to the surface")
                return
            if self.point is None:
                # the point of the (inset) surface nearest to where the humanoid stands
                self.point = nearest_in_rect(stand, (x0, y0, x1, y1), self.margin)
                self.chose_point = True
            d = math.dist(stand, self.point)
            if d > horizontal_reach(h) and not (self.snap and d <= h.config.pick_radius):
                self.fail(f"surface point {self.point} is {d:.2f} m from the nearest standing "
                          "place, beyond reach")
                return
            self.child = WalkTo(goal=stand, face=self.point, tolerance=0.08, avoid=self.avoid)
            self.stage = "approach"
        if self.stage == "approach":
            if not self._run_child(h, world):
                return
            obj, side = h.holding, h.held_side
            # put the object's centre where it will rest, with the hand where it holds it
            centre = np.array([self.point[0], self.point[1], height + h.held_bottom_offset + 0.02])
            offset = h.hand_position(side) - world.data.xpos[obj]
            self.goal = self._start_reach(h, centre + offset, side)
        if self.stage == "reach":
            near = math.dist(h.position, self.point) <= h.config.pick_radius
            if not self._reach_finished(h, world, may_snap=near):
                return
            h.release(world, surface_z=height, xy=self.point if self.snapped else None)
            h.retract()
            self.stage = "retract"
            return
        if self.stage == "retract" and h.upper_body == "walking":
            self.done()


def surfaces_of(furniture) -> list[tuple[float, tuple[float, float, float, float]]]:
    """Placement surfaces of a home furniture piece as ``(height, rect)`` tuples."""
    return [(float(s.height), tuple(float(v) for v in s.rect)) for s in furniture.surfaces]


def largest_surface(furniture) -> tuple[int, tuple[float, tuple[float, float, float, float]]]:
    """The index and ``(height, rect)`` of a receptacle's largest surface (the first of
    equally large ones)."""
    surfaces = surfaces_of(furniture)
    area = lambda s: (s[1][2] - s[1][0]) * (s[1][3] - s[1][1])
    index = max(range(len(surfaces)), key=lambda k: (area(surfaces[k]), -k))
    return index, surfaces[index]


def PickAndPlace(object: str, surface, point=None, side: str = "r") -> Sequence:
    """Pick ``object`` and place it on ``surface`` (see :class:`Place`)."""
    return Sequence(children=[Pick(object=object, side=side), Place(surface=surface, point=point)])


def draw_walk_goal(navmap, rng: np.random.Generator, position, room: str | None = None,
                   min_distance: float = 2.0, tries: int = 20):
    """A navigable point reachable from ``position`` (in ``room`` if given), drawn with
    ``rng``, at least ``min_distance`` away (straight line) when one of ``tries`` draws is,
    else the first reachable draw; None if no draw was reachable."""
    goal = None
    for _ in range(tries):
        p = navmap.sample_navigable(rng, 1, room)[0]
        if goal is None or math.dist(p, position) >= min_distance:
            if navmap.connected(position, p):
                goal = p
                if math.dist(p, position) >= min_distance:
                    break
    return goal


@dataclass
class Wander(Skill):
    """Walk between random navigable points forever, pausing at each.

    Goals are drawn with the humanoid's own random stream among the points it can walk
    to; ``room`` restricts them to a room of the nav map; ``min_distance`` keeps goals
    that far (straight line) from the start of each leg when possible.
    """

    room: str | None = None
    speed: tuple[float, float] = (0.8, 1.2)
    pause: tuple[float, float] = (0.0, 2.0)
    min_distance: float = 2.0
    child: Skill | None = None
    legs: int = 0
    failures: int = 0

    def _update(self, h, world):
        if h.navmap is None:
            self.fail("wandering needs the humanoid's navmap")
            return
        if self.child is None or not self.child.running:
            if self.child is not None and self.child.status is Status.FAILED:
                self.failures += 1
            rng = world.rng(h.name)
            if isinstance(self.child, WalkTo):
                self.child = Wait(duration=float(rng.uniform(*self.pause)))
            else:
                goal = draw_walk_goal(h.navmap, rng, h.position, self.room, self.min_distance)
                if goal is None:
                    self.failures += 1
                    self.child = Wait(duration=1.0)
                    self.child.update(h, world)
                    return
                self.child = WalkTo(goal=(float(goal[0]), float(goal[1])),
                                    speed=float(rng.uniform(*self.speed)))
                self.legs += 1
        self.child.update(h, world)


@dataclass
class Teleop(Skill):
    """External commands (keyboard teleoperation, policies): the caller sets
    :meth:`command` each step and may request a pick or a place. Picking takes the
    nearest free object within ``config.pick_radius`` (walking to it); placing puts the
    held object on the nearest given surface within that radius, or down on the floor in
    front of the humanoid when no surface is near. A walk to a point (click-to-walk)
    runs until it arrives or is cancelled."""

    objects: tuple[str, ...] = ()            # candidate object body names
    surfaces: tuple = ()                     # candidate (height, rect) surfaces
    forward: float = 0.0
    turn: float = 0.0
    child: Skill | None = None
    last: str = ""                           # outcome of the last pick/place request

    def command(self, forward: float, turn: float) -> None:
        self.forward, self.turn = float(forward), float(turn)

    def request_pick(self, h: "Humanoid", world: "World") -> bool:
        """Start picking the nearest object in range; False (with ``last`` set) if none."""
        if h.holding is not None or self.child is not None:
            self.last = "busy" if self.child is not None else "already holding an object"
            return False
        best, best_d = None, h.config.pick_radius
        for name in self.objects:
            d = math.dist(world.data.xpos[world.body_id(name)][:2], h.position)
            if d <= best_d:
                best, best_d = name, d
        if best is None:
            self.last = f"no object within {h.config.pick_radius} m"
            return False
        self.child = Pick(object=best)
        return True

    def request_place(self, h: "Humanoid", world: "World") -> bool:
        """Start placing the held object (on the nearest surface in range, else the floor)."""
        if h.holding is None or self.child is not None:
            self.last = "not holding anything" if h.holding is None else "busy"
            return False
        best, best_d = None, h.config.pick_radius
        for s in self.surfaces:
            _, (x0, y0, x1, y1) = s
            px = min(max(h.position[0], x0), x1)
            py = min(max(h.position[1], y0), y1)
            d = math.dist((px, py), h.position)
            if d <= best_d:
                best, best_d = s, d
        if best is not None:
            self.child = Place(surface=best)
        else:
            self.child = PutDown()
        return True

    def request_walk(self, h: "Humanoid", goal: tuple[float, float], speed: float = 1.0) -> bool:
        """Start walking along the humanoid's map to ``goal`` (click-to-walk); False (with
        ``last`` set) while busy or when the goal cannot be reached from here."""
        if self.child is not None:
            self.last = "busy"
            return False
        goal = (float(goal[0]), float(goal[1]))
        if h.navmap is not None and not (h.navmap.is_navigable(goal) and
                                         h.navmap.connected(h.position, goal)):
            self.last = f"cannot walk to ({goal[0]:.1f}, {goal[1]:.1f})"
            return False
        self.child = WalkTo(goal=goal, speed=speed)
        return True

    def cancel_walk(self) -> None:
        """Stop a click-to-walk (the person took the keys again); picks and places go on."""
        if isinstance(self.child, WalkTo):
            self.child = None
            self.last = "walk cancelled"

    def _update(self, h, world):
        if self.child is not None:
            self.child.update(h, world)
            if not self.child.running:
                self.last = self.child.status.value + (f": {self.child.reason}" if self.child.reason else "")
                self.child = None
            return
        h.walk(self.forward, self.turn)


@dataclass
class PutDown(Skill):
    """Set the held object down on the floor in front of the humanoid."""

    distance: float = 0.45

    def _update(self, h, world):
        obj = h.holding
        if obj is None:
            self.fail("not holding an object")
            return
        h.stop()
        if h.gait.state.stepping:
            return
        c, s = math.cos(h.yaw), math.sin(h.yaw)
        x, y = h.position[0] + c * self.distance, h.position[1] + s * self.distance
        if h.navmap is not None and not h.navmap.is_navigable((x, y)):
            x, y = h.position[0] + c * 0.25, h.position[1] + s * 0.25
        h.release(world, surface_z=0.0, xy=(x, y))
        self.done()


__all__ = ["Status", "Skill", "Wait", "Face", "WalkTo", "Reach", "Pick", "Place",
           "PickAndPlace", "Sequence", "Wander", "Teleop", "PutDown", "surfaces_of",
           "largest_surface",
           "TURN_IN_PLACE", "horizontal_reach", "walking"]
