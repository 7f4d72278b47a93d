"""Social Rearrangement: a robot and a humanoid partner move two objects to their goal
receptacles in an unseen home.

Definitions match Habitat 3.0's Social Rearrangement (see :mod:`.terms`). The robot is
driven by the action (``low_level``: base, end effector and gripper; ``skills``: one
grounded skill per env step, run until it ends, fails or is interrupted); the humanoid is
driven by its partner policy (:mod:`.partners`) through the skill layer. A contact
monitor counts robot-humanoid collisions at the end of each step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from embodied.errors import ActionError, ConfigError, EpisodeInitError
from embodied.sim.world import Timing
from embodied.tasks.actions import ActionTerm
from embodied.tasks.base import PrivilegedView, Task
from embodied.tasks.episodes import Initializer, Scene, SeparatedStarts
from embodied.tasks.social_rearrange.config import OBS_MODES, SocialRearrangeConfig
from embodied.tasks.social_rearrange.partners import Partner, make_partner
from embodied.tasks.social_rearrange.terms import (STAGES, EpisodeTally, reward_terms,
                                                   stages_now)

ROBOT = "robot"
HUMANOID = "human0"
ROBOT_HUMANOID = "robot_humanoid"
#: The robot's grounded skills in ``skills`` mode, as Habitat 3.0's high-level action
#: space lists them for two objects (the motion primitives drive the base briefly).
SKILLS = ("nav_to_obj_0", "nav_to_obj_1", "nav_to_goal_0", "nav_to_goal_1", "pick_0", "pick_1",
          "place_0", "place_1", "wait", "turn_left", "turn_right", "move_forward",
          "move_backward")
#: The humanoid's grounded skills when an outside policy drives it in ``skills`` mode
#: (PettingZoo's parallel env): its own walk, pick (walking up to the object) and place.
HUMANOID_SKILLS = SKILLS[:SKILLS.index("wait") + 1]       # the robot's, without base motions
#: Outcomes of the last skill (the ``skill_status`` observation, one-hot in this order).
SKILL_OUTCOMES = ("none", "done", "failed", "interrupted")
#: How far (m) beyond the robot's footprint the humanoid's root keeps (its feet step and
#: its arms swing beyond its body disc, and the robot's arm may stand out of its base).
FENCE_MARGIN = 0.45
#: The radius (m) of the disc round the robot's hand the humanoid's root keeps out of.
HAND_FENCE = 0.3
#: The longest message (characters) one agent posts to the other.
MAX_MESSAGE_CHARS = 200
#: How far (m) off its goal surface an object may rest and still count as placed.
REST_TOLERANCE = 0.03
#: Failed picks and places the humanoid's partner tries again per episode (revision 1).
PARTNER_RETRIES = 3
#: An agent held up this many steps by the other goes round it (plans again with the
#: other's footprint, grown by DETOUR_MARGIN, on its map).
DETOUR_AFTER = 6
DETOUR_MARGIN = 0.2
#: How far (m) from the robot's way a humanoid with nothing left to do steps aside when
#: the robot cannot get past it.
MAKE_WAY = 1.0


#: Solo runs (see :meth:`SocialRearrangeTask.solo_result`) by split, config and seed.
_SOLO_RUNS: dict = {}


@dataclass(frozen=True)
class Target:
    """A target object of the episode and where it must go."""

    object: str                                   # the object's name (``mug_2``)
    body: str                                     # its body name (``obj/mug_2/body``)
    start: str                                    # the receptacle it starts on
    goal: str                                     # its goal receptacle
    goal_surface: tuple[float, tuple[float, float, float, float]]   # (height, rect) placed on
    goal_index: int = 0                           # which of the goal's surfaces that is


@dataclass(frozen=True)
class SocialRearrangeView(PrivilegedView):
    """The privileged view of a SocialRearrange episode."""

    robot: str = ROBOT
    humanoid: str = HUMANOID
    targets: tuple[Target, ...] = ()
    placed: tuple[bool, ...] = ()           # each target on its goal now
    held_by: tuple[str, ...] = ()           # who holds each target ("" nobody)
    reached: tuple[int, ...] = ()           # step each stage goal was reached (-1 not yet)
    partner: Partner | None = None          # the humanoid's partner (its plan and intent)
    skills: tuple[str, ...] = SKILLS

    def target_of_body(self, body: str) -> int | None:
        """Index of the target whose body is ``body`` (None if it is not a target)."""
        return next((i for i, t in enumerate(self.targets) if t.body == body), None)

    def object_xy(self, i: int) -> tuple[float, float]:
        p = self.world.data.xpos[self.world.body_id(self.targets[i].body)]
        return float(p[0]), float(p[1])

    def goal_xy(self, i: int) -> tuple[float, float]:
        _, (x0, y0, x1, y1) = self.targets[i].goal_surface
        return 0.5 * (x0 + x1), 0.5 * (y0 + y1)


@dataclass
class ChooseTargets(Initializer):
    """Two target objects, each with another receptacle as its goal (in another room when
    there is one), all within ``reach`` of points both agents can get to from where they
    start. Ordinary receptacles (between knee and chest height) are preferred; a home
    without enough of them uses any receptacle."""

    count: int = 2
    reach: float = 1.0

    def __call__(self, task, rng):
        from embodied.skills.placement import ORDINARY_RECEPTACLES

        home = task.scene.home
        for categories in (ORDINARY_RECEPTACLES, None):
            pieces = {f.name: f for f in home.receptacles()
                      if categories is None or f.category in categories}
            chosen = self._choose(task, rng, pieces)
            if len(chosen) == self.count:
                task.targets = tuple(chosen)
                return
        raise EpisodeInitError(f"only {len(chosen)} of {self.count} target objects with "
                               "reachable goals in this home")

    def _choose(self, task, rng, pieces) -> list[Target]:
        from embodied.skills.humanoid import largest_surface
        from embodied.skills.placement import standing_point

        home = task.scene.home
        starts = {a: (p.x, p.y) for a, p in task.start_poses.items()}
        maps = task.scene.navmaps

        strict = task.config.revision >= 1

        def reachable(xy) -> bool:
            # revision 0 took the nearest navigable point however far it was
            for agent in (ROBOT, HUMANOID):
                stand = standing_point(maps[agent], starts[agent], xy, self.reach)
                if stand is None or strict and math.dist(stand, xy) > self.reach:
                    return False
            return True

        objects = [o for o in home.objects if o.receptacle in pieces]
        chosen: list[Target] = []
        for k in rng.permutation(len(objects)):
            obj = objects[int(k)]
            if len(chosen) == self.count:
                break
            if not reachable(obj.pos[:2]):
                continue
            used = {t.goal for t in chosen}
            goals = [f for f in pieces.values() if f.name != obj.receptacle and f.name not in used]
            goals = [f for f in goals if f.room != obj.room] or goals
            for j in rng.permutation(len(goals)):
                goal = goals[int(j)]
                index, surface = largest_surface(goal)
                x0, y0, x1, y1 = surface[1]
                if reachable((0.5 * (x0 + x1), 0.5 * (y0 + y1))):
                    chosen.append(Target(obj.name, home.object_body_name(obj.name),
                                         obj.receptacle, goal.name, surface, index))
                    break
        return chosen


def _resample(path: np.ndarray, spacing: float) -> np.ndarray:
    """Points along a polyline at most ``spacing`` apart (its vertices included)."""
    points = [path[:1]]
    for a, b in zip(path[:-1], path[1:]):
        n = max(int(math.ceil(float(np.hypot(*(b - a))) / spacing)), 1)
        points.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.concatenate(points)


class RobotArmBaseAction(ActionTerm):
    """``Box(-1, 1, (6,))``: base forward speed and turn rate (scaled to the robot's
    maximum speeds), end-effector motion (dx, dy, dz in the base frame, scaled to
    ``max_ee_step`` per step) and gripper (> 0.5 grasp, < -0.5 release, else keep).
    Out-of-range values are clipped; NaN or inf raises ActionError."""

    def __init__(self, agent: str, max_linear_speed: float, max_angular_speed: float,
                 max_ee_step: float):
        self.agent = agent
        self.space = gym.spaces.Box(-1.0, 1.0, shape=(6,), dtype=np.float32)
        self.scale = np.array([max_linear_speed, max_angular_speed] + [max_ee_step] * 3 + [1.0])

    def process(self, action) -> np.ndarray:
        a = np.asarray(action, dtype=np.float64)
        if a.shape != (6,):
            raise ActionError(f"{self.agent} action must have shape (6,), got {a.shape}")
        if not np.isfinite(a).all():
            raise ActionError(f"{self.agent} action contains NaN or inf: {a.tolist()}")
        return np.clip(a, -1.0, 1.0) * self.scale

    def apply(self, world, command) -> None:
        robot = world.entities[self.agent]
        robot.command_base(float(command[0]), float(command[1]))
        if np.any(command[2:5]):
            robot.command_ee(world, command[2:5])
        if command[5] > 0.5 and not robot.is_holding():
            robot.grasp(world)          # (never what the humanoid holds: see holder_of)
        elif command[5] < -0.5 and robot.is_holding():
            robot.release(world)


class SkillChoiceAction(ActionTerm):
    """``Discrete(len(skills))``: which grounded skill the robot runs next. :meth:`apply`
    takes the built skill (the task grounds the choice in its episode)."""

    def __init__(self, agent: str, skills: tuple[str, ...]):
        self.agent, self.skills = agent, skills
        self.space = gym.spaces.Discrete(len(skills))

    def process(self, action) -> int:
        a = np.asarray(action)
        if a.shape not in ((), (1,)) or not (np.issubdtype(a.dtype, np.integer)
                                             or (np.issubdtype(a.dtype, np.floating)
                                                 and np.isfinite(a).all() and float(a.reshape(-1)[0]).is_integer())):
            raise ActionError(f"{self.agent} skill choice must be one integer in "
                              f"[0, {len(self.skills)}), got {action!r:.100}")
        index = int(a.reshape(-1)[0])
        if not 0 <= index < len(self.skills):
            raise ActionError(f"{self.agent} skill choice {index} is not in [0, {len(self.skills)}) "
                              f"(skills: {', '.join(self.skills)})")
        return index

    def apply(self, world, skill) -> None:
        world.entities[self.agent].run(skill)


class SocialRearrangeTask(Task):
    """Episode sampling, observations, reward and metrics of SocialRearrange."""

    config_class = SocialRearrangeConfig
    obs_modes = OBS_MODES
    primary_metric = "success"
    #: Called with the info of each low-level step a skills-mode env step runs (videos);
    #: None: nothing is called.
    on_low_level_step = None
    _decision: dict | None = None          # the skills-mode decision under way
    # a person drives the humanoid (its keyboard partner leaves it to them); the robot
    # infers what they are doing
    teleop_robot_policy = "rearrange_inferring"
    teleop_config = {"partner": "keyboard", "action_mode": "skills"}
    external_config = {"partner": "external"}

    @property
    def skills_mode(self) -> bool:
        return self.config.action_mode == "skills"

    # -- declarations ---------------------------------------------------------------------
    def agents(self):
        return {ROBOT: "robot", HUMANOID: "humanoid"}

    def make_actions(self):
        cfg = self.config
        if cfg.action_mode == "skills":
            return {ROBOT: SkillChoiceAction(ROBOT, SKILLS)}
        from embodied.agents.robot.config import RobotConfig

        return {ROBOT: RobotArmBaseAction(ROBOT, cfg.max_linear_speed, cfg.max_angular_speed,
                                          RobotConfig().max_ee_step)}

    def make_sensors(self):
        from embodied import sensors as S

        cfg = self.config
        out = [S.BaseVelocity()]
        if self.obs_mode == "depth":
            out.append(S.CameraDepth(cfg.image_size, cfg.image_size, cfg.camera, "depth",
                                     max_depth=cfg.max_depth))
        return {ROBOT: out, HUMANOID: [S.BaseVelocity()]}

    def _observation_space(self, agent: str | None = None) -> gym.spaces.Dict:
        base = super()._observation_space(agent)
        box = lambda n, lo=-np.inf, hi=np.inf: gym.spaces.Box(lo, hi, (n,), np.float32)
        n = len(STAGES) // 2
        return gym.spaces.Dict({**base.spaces,
                                "is_holding": box(1, 0.0, 1.0),
                                "obj_start_sensor": box(3 * n), "obj_goal_sensor": box(3 * n),
                                "obj_start_gps_compass": box(2 * n),
                                "obj_goal_gps_compass": box(2 * n),
                                "other_agent_gps": box(2),
                                "agents_within_threshold": box(1, 0.0, 1.0),
                                "skill_status": box(len(SKILL_OUTCOMES), 0.0, 1.0)})

    # -- scenes ---------------------------------------------------------------------------
    def scene_key(self, seed, rng):
        from embodied.agents.humanoid.avatars import sample_avatar

        return self.home_index(seed), sample_avatar(rng, self.split).id

    def build_scene(self, key) -> Scene:
        from embodied.agents.humanoid import Humanoid
        from embodied.agents.robot import make_robot
        from embodied.crowds.bodies import BodySpace
        from embodied.sensors import SensorSuite
        from embodied.sim.contacts import ContactMonitor

        index, avatar = key
        cfg = self.config
        entry = self.scenes.home(self.split, index, cfg.home)
        robot = make_robot(cfg.robot, name=ROBOT, max_linear_speed=cfg.max_linear_speed,
                           max_angular_speed=cfg.max_angular_speed, grasp_mode="oracle")
        humanoid = Humanoid(HUMANOID, avatar=avatar)
        contacts = ContactMonitor({ROBOT_HUMANOID: (ROBOT, HUMANOID)})
        world = entry.home.make_world([robot, humanoid, contacts],
                                      Timing(cfg.physics_dt, cfg.control_dt), sleep=cfg.sleep)
        robot.navmap = self.scenes.navmap(entry, world, self.robot_radius)
        humanoid.navmap = self.scenes.navmap(entry, world, cfg.humanoid_radius)
        # the humanoid's steps never take it into the robot's footprint (it stops or slides)
        humanoid.body_space = (BodySpace(1, 0.2), 0)
        if cfg.safety_clearance > 0.0:
            robot.keep_clear = (HUMANOID, cfg.humanoid_radius, cfg.safety_clearance)
        return Scene(key, entry.home, world, navmaps={ROBOT: robot.navmap, HUMANOID: humanoid.navmap},
                     sensors={a: SensorSuite(a, s) for a, s in self.make_sensors().items()})

    # -- episodes -------------------------------------------------------------------------
    def initializers(self):
        return (SeparatedStarts((ROBOT, HUMANOID), self.config.min_start_distance, tries=64),
                ChooseTargets())

    def start_episode(self, seed):
        world = self.world
        self._decision = None
        self.partner = make_partner(self.config.partner, self._partner_checkpoint())
        if self.config.revision >= 1:
            self.partner.retries = PARTNER_RETRIES
        self.tally = EpisodeTally()
        self.last_holder = ["", ""]
        self.within = self._within_threshold()
        self.skill_outcome = "none"
        self.skill_reason = ""
        self.last_skill = ""
        self.humanoid_skill = ""                 # the last choice of an outside humanoid policy
        self.messages: list[tuple[int, str, str]] = []
        #: per agent (humanoid, robot): steps held up by the other, detours, last position
        self.held_up, self.detours, self.last_xy = [0, 0], [0, 0], [None, None]
        self._last_terms, self._last = None, None
        self.partner.reset(self.privileged(), world.rng("partner"))
        self._give_partner_skill()
        index, avatar = self.scene.key
        return {"home": f"{self.split}/{index}", "avatar": avatar,
                "targets": [(t.object, t.goal) for t in self.targets],
                "partner_intent": list(self.partner.intent)}

    # -- the episode's state, read off the World --------------------------------------------
    def _held_by(self) -> tuple[str, ...]:
        world = self.world
        holders = {world.entities[a].held_object(world): a for a in (ROBOT, HUMANOID)
                   if a in world.entities}
        return tuple(holders.get(t.body, "") for t in self.targets)

    def _placed(self, held_by) -> tuple[bool, ...]:
        from embodied.skills.placement import over_rect, rest_error

        world = self.world
        out = []
        for t, holder in zip(self.targets, held_by):
            height, rect = t.goal_surface
            body = world.body_id(t.body)
            # off the rectangle is not on it: rest_error's cheap test first
            out.append(not holder and over_rect(world, body, rect, REST_TOLERANCE)
                       and rest_error(world, body, height, rect, REST_TOLERANCE) == "")
        return tuple(out)

    def _within_threshold(self) -> bool:
        world = self.world
        rx, ry, yaw = world.entities[ROBOT].base_pose(world)
        hx, hy = world.entities[HUMANOID].xy
        dx, dy = hx - rx, hy - ry
        ahead = math.cos(yaw) * dx + math.sin(yaw) * dy
        side = -math.sin(yaw) * dx + math.cos(yaw) * dy
        a, b = self.config.interrupt_ellipse
        return (ahead / a) ** 2 + (side / b) ** 2 < 1.0

    def _partner_checkpoint(self) -> str | None:
        """The learned partner's checkpoint path (``policies/`` relative ones resolved)."""
        if self.config.partner_checkpoint is None:
            return None
        from embodied.policies.registry import policy_checkpoint

        return str(policy_checkpoint({"checkpoint": self.config.partner_checkpoint}))

    def _give_partner_skill(self) -> None:
        skill = self.partner.update(self.privileged(), self)
        if skill is not None:
            self.world.entities[HUMANOID].run(skill)

    def _fence_humanoid(self) -> None:
        """Write the robot's footprint, and its hand's (reaching or carrying, it stands out
        of the base), into the humanoid's body space for the next step."""
        world = self.world
        h, robot = world.entities[HUMANOID], world.entities[ROBOT]
        rx, ry, _ = robot.base_pose(world)
        hand = robot.ee_position(world)
        space, _ = h.body_space
        space.update(np.array([h.xy]), [(rx, ry, self.robot_radius + FENCE_MARGIN),
                                        (float(hand[0]), float(hand[1]), HAND_FENCE)])

    # -- stepping -------------------------------------------------------------------------
    def apply_action(self, action) -> None:
        if not self.skills_mode:
            super().apply_action(action)
            return
        term = self.actions[ROBOT]
        index = term.process(action)
        self.last_skill = SKILLS[index]
        term.apply(self.world, self.grounded_skill(index))

    def step(self, action):
        if not self.skills_mode:
            return super().step(action)
        self.begin_skill(action)
        while True:
            terminated, truncated, info, over = self.skill_step()
            if over:
                return self.end_skill(terminated, truncated, info)

    # one skills-mode decision, low-level step by low-level step (what ``step`` runs whole;
    # a person in the loop needs the humanoid to move between them)
    @property
    def skill_running(self) -> bool:
        """Whether a skills-mode decision is under way (begun, not yet ended)."""
        return self._decision is not None

    def begin_skill(self, action) -> None:
        """Start the robot's skill ``action`` (skills mode)."""
        self.apply_action(action)
        self.skill_outcome = "none"
        self._decision = {"skill": self.world.entities[ROBOT].state.skill, "totals": {}, "steps": 0}

    def skill_step(self) -> tuple[bool, bool, dict, bool]:
        """One low-level step of the running skill: (terminated, truncated, info, over),
        ``over`` once the skill has ended, failed, been interrupted or the episode ended."""
        _, _, terminated, truncated, info = self.advance(observe=False)
        decision, skill = self._decision, self._decision["skill"]
        decision["steps"] += 1
        if self.on_low_level_step is not None:
            self.on_low_level_step(info)
        totals = decision["totals"]
        for name, value in info["reward_terms"].items():
            totals[name] = totals.get(name, 0.0) + value
        if not skill.running:
            self.skill_outcome = skill.status.value
            return terminated, truncated, info, True
        if info["interrupted"]:
            self.skill_outcome = "interrupted"
            return terminated, truncated, info, True
        return terminated, truncated, info, terminated or truncated

    def end_skill(self, terminated: bool, truncated: bool, info: dict):
        """End the decision (stopping a skill still running): the step's usual result, its
        reward and terms summed over the low-level steps."""
        decision, self._decision = self._decision, None
        skill = decision["skill"]
        if skill.running:
            robot = self.world.entities[ROBOT]
            robot.run(None)
            robot.stop()
        totals = decision["totals"]
        self.skill_reason = getattr(skill, "reason", "")
        info.update(reward_terms=totals, skill=self.last_skill, skill_outcome=self.skill_outcome,
                    skill_reason=self.skill_reason, low_level_steps=decision["steps"])
        return self.observe(), float(sum(totals.values())), terminated, truncated, info

    def after_step(self):
        cfg, world = self.config, self.world
        entities = world.entities
        robot, human, contacts = entities[ROBOT], entities[HUMANOID], entities["contacts"]
        held_by = self._held_by()
        for i, holder in enumerate(held_by):
            if holder:
                self.last_holder[i] = holder
        placed = self._placed(held_by)
        tally = self.tally
        new = 0
        for k, now in enumerate(stages_now(tuple(bool(h) for h in held_by), placed)):
            if now and tally.reached[k] < 0:
                tally.reached[k] = self.steps
                new += 1
                if STAGES[k].endswith("placed"):
                    tally.placed_by[k // 2] = self.last_holder[k // 2]
        succeeded = all(placed) and robot.held_object(world) is None and human.holding is None
        first_success = succeeded and tally.success_step < 0
        if first_success:
            tally.success_step = self.steps
        counts = contacts.counts(ROBOT_HUMANOID)
        collided = bool(counts.touching)
        tally.collisions, tally.collision_steps = counts.onsets, counts.steps
        rx, ry, ryaw = robot.base_pose(world)
        tally.robot.add(rx, ry, ryaw, robot.ee_position(world), cfg.control_dt)
        hx, hy = human.xy
        tally.humanoid.add(hx, hy, human.yaw, human.hand_position("r"), cfg.control_dt)
        within = self._within_threshold()
        interrupted = within and not self.within
        self.within = within
        self._last_terms = reward_terms(new, first_success, collided, cfg.reward)
        self._last = {"held_by": held_by, "placed": placed, "collided": collided,
                      "interrupted": interrupted, "success": succeeded}
        self._go_round_each_other()
        self._give_partner_skill()

    def _go_round_each_other(self) -> None:
        """Count the steps each agent is held up by the other (walking or driving, not
        getting anywhere, the other close); after :data:`DETOUR_AFTER` of them its way
        is planned again round the other's footprint, grown by :data:`DETOUR_MARGIN`, if
        there is a way round (otherwise it keeps waiting for the other to move, or the
        humanoid steps out of the robot's way). A humanoid held up on its way to pick or
        place chooses where to stand again, clear of the robot (revision 1).

        The robot counts as held up when its navigation commands motion and the base
        does not move: driving on, backing off or turning (revision 0: only driving
        forward without its position changing, so a robot trying to back off or turn
        next to the humanoid never got round it)."""
        from embodied.skills.base import active
        from embodied.skills.humanoid import Pick, Place, WalkTo
        from embodied.skills.placement import detour_map
        from embodied.skills.robot import NavigateTo

        world = self.world
        robot, human = world.entities[ROBOT], world.entities[HUMANOID]
        rxy, hxy = robot.base_pose(world)[:2], human.xy
        near = math.dist(rxy, hxy) < self.robot_radius + FENCE_MARGIN + 0.7
        walk = active(human.behaviour, WalkTo)
        drive = active(robot.state.skill, NavigateTo)
        command = robot.state.base_command
        if self.config.revision >= 1:
            speed, turn = robot.base_velocity(world)
            driving = drive is not None and (abs(command[0]) > 0.1 or abs(command[1]) > 0.1)
            base_still = abs(speed) < 0.02 and abs(turn) < 0.05
        else:
            driving, base_still = drive is not None and command[0] > 0.1, None
        for k, (me, way, other, radius, trying) in enumerate((
                (hxy, walk, rxy, self.robot_radius, walk is not None and walk.path is not None),
                (rxy, drive, hxy, self.config.humanoid_radius, driving))):
            last = self.last_xy[k]
            moved = math.dist(me, last) if last is not None else 1.0
            self.last_xy[k] = me
            still = base_still if k == 1 and base_still is not None else moved < 0.01
            if not (trying and near and still):
                self.held_up[k] = 0
                continue
            self.held_up[k] += 1
            if self.held_up[k] < DETOUR_AFTER:
                continue
            self.held_up[k] = 0
            disc = ((other[0], other[1], radius + DETOUR_MARGIN),)
            doing = human.behaviour
            if (k == 0 and self.config.revision >= 1 and isinstance(doing, (Pick, Place))
                    and doing.stage == "approach" and doing.asked_clear_of != disc):
                # walking to pick or place: choose where to stand again, clear of the robot
                doing.stand_clear_of(disc)
                self.detours[0] += 1
                continue
            goal = way.goal if k == 0 else tuple(way.goal_xy(world))
            navmap = (human if k == 0 else robot).navmap
            if way.avoid != disc and detour_map(navmap, disc).shortest_path(me, goal) is not None:
                way.avoid = disc
                if k == 0:
                    way.path = None             # the humanoid plans its walk again
                self.detours[k] += 1
            elif k == 1:
                self._make_way(rxy, goal)

    def _make_way(self, robot_xy, robot_goal) -> None:
        """The humanoid steps out of the way of the robot it is holding up (when the robot
        has no way round it): to the nearest point it can walk to at least
        :data:`MAKE_WAY` metres from the robot's way to its goal. A pick or place it was
        walking to is put back at the front of its partner's plan, to do afterwards; one
        whose hand is already moving is finished first."""
        from embodied.skills.humanoid import Pick, Place, Teleop, WalkTo
        from embodied.skills.placement import detour_map, standing_point

        world = self.world
        human, robot = world.entities[HUMANOID], world.entities[ROBOT]
        skill = human.behaviour
        if isinstance(skill, Teleop):
            return                              # a person drives it: theirs to decide
        doing = skill if isinstance(skill, (Pick, Place)) and skill.running else None
        if doing is not None and doing.stage not in ("start", "approach"):
            return
        path = robot.navmap.shortest_path(robot_xy, robot_goal)
        if path is None:
            return
        way = _resample(np.asarray(path, float), 0.2)

        def clear(q) -> bool:
            return float(np.min(np.hypot(way[:, 0] - q[0], way[:, 1] - q[1]))) >= MAKE_WAY

        here = human.xy
        # revision 1: a spot the humanoid can walk to without passing the robot (the way
        # to a spot behind the robot is the way it is blocking)
        avoid = ((*robot_xy, self.robot_radius + DETOUR_MARGIN),) if self.config.revision >= 1 else ()
        navmap = detour_map(human.navmap, avoid) if avoid else human.navmap
        spot = standing_point(navmap, here, here, max_distance=4.0, min_distance=0.6,
                              ring_step=0.25, accept=clear)
        if spot is None:
            return
        if doing is not None:
            view = self.privileged()
            body = doing.object if isinstance(doing, Pick) else view.world.model.body(human.holding).name
            i = view.target_of_body(body)
            if i is not None:
                self.partner.plan.insert(0, ("pick" if isinstance(doing, Pick) else "place", i))
                self.partner.idle = False
        human.run(WalkTo(goal=spot, speed=self.config.humanoid_speed, avoid=avoid))

    def advance(self, observe: bool = True):
        self._fence_humanoid()
        return super().advance(observe)

    def reward_terms(self):
        return self._last_terms

    def terminated(self) -> bool:
        last = self._last
        return last["success"] or (last["collided"] and self.config.reward.end_on_collide)

    def step_info(self):
        last = self._last
        return {"stage_goals": {name: step >= 0 for name, step in zip(STAGES, self.tally.reached)},
                "collided": last["collided"], "interrupted": last["interrupted"],
                "held_by": list(last["held_by"]), "placed": list(last["placed"])}

    def episode_metrics(self) -> dict[str, float]:
        out = self.tally.metrics(self.steps, ROBOT)
        out["humanoid_detours"], out["robot_detours"] = (float(n) for n in self.detours)
        out["episode_return"] = float(self.episode_return)
        return out

    # -- observations ------------------------------------------------------------------------
    def observe(self, agent: str | None = None) -> dict:
        """The robot's observation (or, with ``agent="human0"``, the same quantities in the
        humanoid's frame, the robot as the other agent, for an outside humanoid policy)."""
        obs = super().observe(agent)
        world = self.world
        robot, human = world.entities[ROBOT], world.entities[HUMANOID]
        me, other = (human, robot) if agent == HUMANOID else (robot, human)
        pose = me.get_pose(world)
        x, y, yaw = pose.x, pose.y, pose.yaw
        c, s = math.cos(yaw), math.sin(yaw)

        def local(p) -> tuple[float, float, float]:
            dx, dy = p[0] - x, p[1] - y
            return c * dx + s * dy, -s * dx + c * dy, float(p[2]) if len(p) > 2 else 0.0

        starts, goals, start_polar, goal_polar = [], [], [], []
        for t in self.targets:
            p = world.data.xpos[world.body_id(t.body)]
            height, (x0, y0, x1, y1) = t.goal_surface
            for point, rel, polar in ((p, starts, start_polar),
                                      ((0.5 * (x0 + x1), 0.5 * (y0 + y1), height), goals, goal_polar)):
                lx, ly, lz = local(point)
                rel.extend((lx, ly, lz))
                polar.extend((math.hypot(lx, ly), math.atan2(ly, lx)))
        hx, hy, _ = local(other.get_pose(world)[:2])
        status = np.zeros(len(SKILL_OUTCOMES), np.float32)
        outcome = self.skill_outcome if me is robot else self._humanoid_outcome()
        status[SKILL_OUTCOMES.index(outcome if outcome in SKILL_OUTCOMES else "none")] = 1.0
        f32 = lambda v: np.asarray(v, np.float32)
        obs.update({"is_holding": f32([me.held_object(world) is not None]),
                    "obj_start_sensor": f32(starts), "obj_goal_sensor": f32(goals),
                    "obj_start_gps_compass": f32(start_polar),
                    "obj_goal_gps_compass": f32(goal_polar),
                    "other_agent_gps": f32([hx, hy]),
                    "agents_within_threshold": f32([self.within]),
                    "skill_status": status})
        return obs

    # -- skills -----------------------------------------------------------------------------
    def grounded_skill(self, index: int):
        """The robot's skill for the choice ``index`` of :data:`SKILLS`, grounded in this
        episode; a call that cannot work now (a place with nothing in hand, a pick of what
        the humanoid holds) gives a skill that fails at once with the reason."""
        from embodied.skills.base import Refused, Wait
        from embodied.skills.robot import Drive, SnapPick, SnapPlace

        cfg, view = self.config, self.privileged()
        name = SKILLS[index]
        verb, _, arg = name.rpartition("_")
        if name == "wait":
            return Wait(duration=cfg.wait_seconds)
        if not arg.isdigit():
            linear = {"move_forward": 1.0, "move_backward": -1.0}.get(name, 0.0) * cfg.max_linear_speed
            angular = {"turn_left": 1.0, "turn_right": -1.0}.get(name, 0.0) * cfg.max_angular_speed
            return Drive(linear=linear, angular=angular, duration=cfg.motion_seconds)
        i = int(arg)
        target = self.targets[i]
        if verb == "nav_to_obj":
            return self._navigate(view, view.object_xy(i))
        if verb == "nav_to_goal":
            return self._navigate(view, view.goal_xy(i))
        refusal = self._refusal(view, ROBOT, verb, i)
        if refusal:
            return Refused(why=refusal)
        if verb == "pick":
            return SnapPick(object=target.body, snap_reach=cfg.snap_reach, arm_first=cfg.arm_first,
                            any_side=cfg.revision >= 1)
        # revision 0: only the point of the surface nearest the robot; done once set down
        revised = cfg.revision >= 1
        return SnapPlace(furniture=target.goal, home=view.home, surface=target.goal_index,
                         snap_reach=cfg.snap_reach, arm_first=cfg.arm_first, any_side=revised,
                         check_rest=revised)

    def _humanoid_outcome(self) -> str:
        """How the humanoid's last skill went (``none`` while one runs or before any)."""
        skill = self.world.entities[HUMANOID].behaviour
        return "none" if skill is None or skill.running else skill.status.value

    # -- the humanoid, driven by an outside policy (PettingZoo's parallel env) --------------------
    def external_agents(self):
        """The humanoid, when its partner is ``external``: walking commands and hands
        (``low_level``) or a choice of :data:`HUMANOID_SKILLS` (``skills``)."""
        if self.config.partner != "external":
            return {}
        if self.skills_mode:
            return {HUMANOID: SkillChoiceAction(HUMANOID, HUMANOID_SKILLS)}
        from embodied.agents.humanoid.gait import GaitConfig
        from embodied.tasks.actions import HumanoidWalkAction

        return {HUMANOID: HumanoidWalkAction(HUMANOID, self.config.humanoid_speed,
                                             GaitConfig().max_turn_rate, hands=True)}

    def external_command(self, agent, command):
        return self.grounded_humanoid_skill(command) if self.skills_mode else command

    def grounded_humanoid_skill(self, index: int):
        """The humanoid's skill for the choice ``index`` of :data:`HUMANOID_SKILLS`; a call
        that cannot work now fails at once with the reason."""
        from embodied.skills.base import Refused, Wait
        from embodied.skills.humanoid import Pick, Place

        view = self.privileged()
        name = self.humanoid_skill = HUMANOID_SKILLS[index]
        if name == "wait":
            return Wait(duration=self.config.wait_seconds)
        verb, _, arg = name.rpartition("_")
        i = int(arg)
        target = self.targets[i]
        if verb in ("nav_to_obj", "nav_to_goal"):
            xy = view.object_xy(i) if verb == "nav_to_obj" else view.goal_xy(i)
            return self._navigate(view, xy, HUMANOID)
        refusal = self._refusal(view, HUMANOID, verb, i)
        if refusal:
            return Refused(why=refusal)
        return Pick(object=target.body) if verb == "pick" else Place(surface=target.goal_surface)

    def _refusal(self, view, agent: str, verb: str, i: int) -> str:
        """Why ``agent``'s ``pick`` or ``place`` of target ``i`` cannot work now ("" when
        it can): full hands or an object the other holds; empty hands to place."""
        held = view.world.entities[agent].held_object(view.world)
        if verb != "pick":
            return "" if held is not None else "not holding an object"
        if held is not None:
            return f"already holding {held}; place it first"
        holder = view.held_by[i]
        return f"{self.targets[i].object} is held by the {holder}" if holder else ""

    def _navigate(self, view, xy, agent: str = ROBOT):
        """``agent``'s way to the point it can reach next to ``xy`` (the robot drives, the
        humanoid walks); a skill failing at once with the reason when there is none."""
        from embodied.skills.base import Refused
        from embodied.skills.humanoid import WalkTo
        from embodied.skills.library import approach_point
        from embodied.skills.robot import NavigateTo

        try:
            goal = approach_point(view, agent, xy)
        except ConfigError as e:
            return Refused(why=str(e))
        return NavigateTo(goal=goal) if agent == ROBOT else WalkTo(goal=goal, speed=self.config.humanoid_speed)

    # -- the humanoid alone ------------------------------------------------------------------
    def evaluation_metrics(self, metrics):
        """Relative Efficiency (Habitat 3.0's RE, x100): the steps the humanoid needs alone
        (:meth:`solo_run`, ``max_steps`` when it does not finish) over the steps this
        episode took; the solo run is cached per episode (``solo_success``, ``solo_steps``)."""
        done, steps = self.solo_result(self.seed)
        return {"relative_efficiency": 100.0 * steps / max(metrics["steps"], 1.0),
                "solo_success": float(done), "solo_steps": float(steps)}

    def solo_result(self, seed: int) -> tuple[bool, int]:
        """:meth:`solo_run` of ``seed``, from the process-wide cache when it has been run
        (the partner and robot do not change it; the rest of the config and the split do)."""
        import dataclasses

        key = (self.split, dataclasses.replace(self.config, partner="greedy", action_mode="skills",
                                               partner_checkpoint=None), int(seed))
        if key not in _SOLO_RUNS:
            if len(_SOLO_RUNS) >= 4096:
                _SOLO_RUNS.pop(next(iter(_SOLO_RUNS)))
            _SOLO_RUNS[key] = self.solo_run(seed)
        return _SOLO_RUNS[key]

    def solo_run(self, seed: int) -> tuple[bool, int]:
        """Whether, and after how many steps, the humanoid alone finishes episode ``seed``:
        the same home, targets and humanoid start, the greedy partner doing both objects,
        in the World rebuilt without the robot (what Relative Efficiency compares with).
        The steps are ``max_steps`` when it does not finish. This task's own episode is
        left as it was."""
        import dataclasses

        solo = SocialRearrangeTask(dataclasses.replace(self.config, partner="greedy"), self.split,
                                   scenes=self.scenes.sharing_homes())
        try:
            solo.reset(seed)
            world = solo.world.rebuild(without=[ROBOT])
            solo.scene = dataclasses.replace(solo.scene, world=world)
            for step in range(1, self.config.max_steps + 1):
                world.step()
                held_by = solo._held_by()
                if all(solo._placed(held_by)) and not any(held_by):
                    return True, step
                solo._give_partner_skill()
            return False, self.config.max_steps
        finally:
            solo.close()

    # -- memory -------------------------------------------------------------------------------
    def task_state(self):
        return {"targets": self.targets, "partner": self.partner, "tally": self.tally,
                "last_holder": list(self.last_holder), "within": self.within,
                "skill_outcome": self.skill_outcome, "last_skill": self.last_skill,
                "skill_reason": self.skill_reason, "last_terms": self._last_terms, "last": self._last,
                "humanoid_skill": self.humanoid_skill, "messages": list(self.messages),
                "held_up": list(self.held_up), "detours": list(self.detours),
                "last_xy": list(self.last_xy)}

    def restore_task_state(self, state):
        import copy

        state = copy.deepcopy(state)
        self.targets, self.partner, self.tally = state["targets"], state["partner"], state["tally"]
        self.last_holder, self.within = state["last_holder"], state["within"]
        self.skill_outcome, self.last_skill = state["skill_outcome"], state["last_skill"]
        self.skill_reason = state.get("skill_reason", "")
        self.humanoid_skill = state.get("humanoid_skill", "")
        self.messages = list(state.get("messages", ()))
        self._last_terms, self._last = state["last_terms"], state["last"]
        self.held_up, self.detours = state["held_up"], state["detours"]
        self.last_xy = state["last_xy"]

    # -- what an LLM planner reads and may call (policy=llm; PARTNR's formats) -------------------
    def planner_instruction(self, agent: str = ROBOT) -> str:
        moves = [f"{t.object} from {t.start} to {t.goal}" for t in self.targets]
        other = "a person" if agent == ROBOT else "a robot"
        return ("Move " + " and ".join(moves) + f". Another agent ({other}) tidies up at the "
                "same time and may move them too.")

    def planner_world(self, agent: str = ROBOT, objects: str = "all") -> str:
        """Furniture per room, then where each object is (or who holds it): every object of
        the home (``objects="all"``, as PARTNR) or only the task's (``"task"``); then what
        the other agent is doing (its last known action)."""
        view, home = self.privileged(), self._scene().home
        lines = ["Furniture:"]
        for room in home.rooms:
            pieces = [f.name for f in home.furniture if f.room == room.name]
            if pieces:
                lines.append(f"{room.name}: {', '.join(pieces)}")
        lines.append("Objects:")
        holders = {t.object: h for t, h in zip(self.targets, view.held_by)}
        world, receptacles = view.world, home.receptacles()
        for obj in home.objects:
            if objects == "task" and obj.name not in holders:
                continue
            holder = holders.get(obj.name, "")
            if holder:
                lines.append(f"{obj.name}: held by {'the agent' if holder == agent else 'the other agent'}")
                continue
            x, y = world.data.xpos[world.body_id(home.object_body_name(obj.name))][:2]
            under = next((f for f in receptacles if f.footprint.contains_point(x, y)), None)
            room = under.room if under else (home.room_at(x, y) or "the home")
            lines.append(f"{obj.name}: {under.name if under else 'floor'} in {room}")
        lines.append(f"Other agent: {self.agent_activity(HUMANOID if agent == ROBOT else ROBOT)}")
        return "\n".join(lines)

    def _tool_call(self, skill: str) -> str:
        """A skill name of :data:`SKILLS` or :data:`HUMANOID_SKILLS` as the planner's call."""
        verb, _, arg = skill.rpartition("_")
        if not arg.isdigit():
            return "Wait[]" if skill == "wait" else skill.replace("_", " ")
        t = self.targets[int(arg)]
        return {"nav_to_obj": f"Navigate[{t.object}]", "nav_to_goal": f"Navigate[{t.goal}]",
                "pick": f"Pick[{t.object}]", "place": f"Place[{t.goal}]"}[verb]

    def agent_activity(self, agent: str) -> str:
        """What ``agent`` is doing, or last did, in the planner's words."""
        if agent == ROBOT:
            if not self.last_skill:
                return "nothing yet"
            state = "doing" if self.skill_running else f"did ({self.skill_outcome})"
            return f"{state} {self._tool_call(self.last_skill)}"
        from embodied.skills.humanoid import Pick, Place, Teleop, WalkTo

        skill = self.world.entities[HUMANOID].behaviour
        if skill is None:
            return "nothing yet"
        if self.humanoid_skill and not isinstance(skill, Teleop):
            call = self._tool_call(self.humanoid_skill)
        elif isinstance(skill, Pick):
            i = self.privileged().target_of_body(skill.object)
            call = self._tool_call(f"pick_{i}") if i is not None else "Pick[an object]"
        elif isinstance(skill, Place):
            call = "Place[the held object]"
        elif isinstance(skill, WalkTo):
            call = "walking"
        else:
            call = "Wait[]"
        return f"doing {call}" if skill.running else f"did ({skill.status.value}) {call}"

    def planner_options(self, agent: str = ROBOT, now: bool = False) -> dict[str, int | None]:
        """The calls the planner of ``agent`` may make -> the skill choice each runs (None:
        Done[]): the robot's :data:`SKILLS`, or the humanoid's :data:`HUMANOID_SKILLS` when
        an outside policy drives it (``partner="external"``). ``now``: only those the world
        allows at this moment (no pick of a held object or with full hands, no place with
        empty hands)."""
        if not self.skills_mode or agent not in (ROBOT, HUMANOID) or (
                agent == HUMANOID and self.config.partner != "external"):
            raise ConfigError("policy", "llm", reason="plans the robot of SocialRearrange in "
                              "skills mode (action_mode=skills), or its humanoid with "
                              "partner=external as well")
        skills = SKILLS if agent == ROBOT else HUMANOID_SKILLS
        view = self.privileged()
        holding = any(h == agent for h in view.held_by)
        n = range(len(self.targets))
        navigate = [s for i in n for s in (f"nav_to_obj_{i}", f"nav_to_goal_{i}")]
        picks = [f"pick_{i}" for i in n if not now or not (holding or view.held_by[i])]
        places = [f"place_{i}" for i in n if not now or holding]
        options: dict[str, int | None] = {}
        for skill in navigate + picks + places + ["wait"]:
            options.setdefault(self._tool_call(skill), skills.index(skill))
        options["Done[]"] = None
        return options

    def planner_result(self, agent: str = ROBOT) -> str:
        """How ``agent``'s last skill went, as the planner reads it."""
        if agent == ROBOT:
            skill, outcome, reason = self.last_skill, self.skill_outcome, self.skill_reason
        else:
            behaviour = self.world.entities[HUMANOID].behaviour
            skill, outcome = self.humanoid_skill, self._humanoid_outcome()
            reason = getattr(behaviour, "reason", "") or ""
        verb = skill.rsplit("_", 1)[0].replace("nav_to_obj", "navigate").replace(
            "nav_to_goal", "navigate")
        if outcome == "done":
            return "Successful execution!"
        if outcome == "interrupted":
            return f"Interrupted {verb}: the other agent was in the way."
        reason = f" {reason}." if reason else ""
        return f"Failed to {verb}!{reason}"

    def post_message(self, agent: str, text: str) -> str:
        """``agent`` says ``text`` to the other (one line, at most
        :data:`MAX_MESSAGE_CHARS` characters); returns what was posted."""
        if agent not in (ROBOT, HUMANOID):
            from embodied.errors import NotFoundError

            raise NotFoundError("agent", agent, (ROBOT, HUMANOID))
        # one line of printable ASCII (what a Text observation space holds)
        text = " ".join(str(text).split())[:MAX_MESSAGE_CHARS]
        text = "".join(c if " " <= c <= "~" else "?" for c in text)
        self.messages.append((self.steps, agent, text))
        return text

    def messages_for(self, agent: str, since: int = 0) -> list[tuple[int, str, str]]:
        """The messages ``(step, sender, text)`` the other agent posted, from the
        ``since``-th message of the episode on."""
        return [m for m in self.messages[since:] if m[1] != agent]

    # -- what people and tools see ----------------------------------------------------------------
    def privileged(self) -> SocialRearrangeView:
        """The episode as its last step left it (who holds what and what is placed come
        from that step's bookkeeping; the World itself is live)."""
        s = self._scene()
        last = getattr(self, "_last", None)
        if last is not None:                 # what the last step's bookkeeping found
            held_by, placed = last["held_by"], last["placed"]
        else:
            held_by = self._held_by()
            placed = self._placed(held_by)
        return SocialRearrangeView(world=s.world, home=s.home, navmaps=s.navmaps,
                                   actions=self.actions, steps=self.steps,
                                   targets=self.targets, held_by=held_by, placed=placed,
                                   reached=tuple(self.tally.reached), partner=self.partner)

    def teleop_agents(self):
        # the humanoid, when its partner is a person at the keyboard
        return (HUMANOID,) if self.config.partner == "keyboard" else ()

    def hud_rows(self):
        last = self._last or {}
        reached, placed, held_by = self.tally.reached, last.get("placed", ()), last.get("held_by", ())
        rows = [(name.replace("_", " "), "yes" if step >= 0 else "-")
                for name, step in zip(STAGES, reached)]
        for i, t in enumerate(self.targets):
            state = ("on its goal" if i < len(placed) and placed[i] else
                     f"held by {held_by[i]}" if i < len(held_by) and held_by[i] else "to move")
            rows.append((f"object {i}", f"{t.object} -> {t.goal} ({state})"))
        robot_skill = "-" if not self.skills_mode else (
            self.last_skill + ("" if self.skill_running else f" ({self.skill_outcome})"))
        return rows + [("robot", robot_skill), ("collisions", str(self.tally.collisions))]

    def headline(self, metrics):
        m = metrics
        return (f"success {m['success']:.0f}, complete {m['percent_complete']:.0f}%, "
                f"steps {m['steps']:.0f}, offloading {m['task_offloading']:.2f}")

    def video_lines(self):
        done = sum(step >= 0 for step in self.tally.reached)
        return (f"step {self.steps}/{self.config.max_steps}   stage goals {done}/{len(STAGES)}",
                "targets: " + ", ".join(f"{t.object} -> {t.goal}" for t in self.targets))

    def view_focus(self):
        world = self.world
        rx, ry, _ = world.entity(ROBOT).base_pose(world)
        return [(rx, ry), world.entity(HUMANOID).xy]

    def inset_camera(self) -> str | None:
        return self.world.entity(ROBOT).head_camera
