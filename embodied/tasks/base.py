"""The Task base: what every task fills in, and the one loop that runs them all.

A task declares its agents' action terms and sensors, how its scene is built (through
the shared :class:`~embodied.tasks.episodes.SceneCache`), how episodes start (small
:class:`~embodied.tasks.episodes.Initializer` objects placing agents through
``Entity.set_pose`` and giving them skills), its named reward terms, termination and
metrics. The base class runs the episode: reset -> initializers -> observations; step ->
actions (all validated before any is applied) -> World step -> task bookkeeping ->
reward terms (their sum is the reward) -> end of episode -> metrics.

Everything the task remembers between steps is returned by :meth:`Task.get_state`, so an
episode (World *and* task) can be snapshotted, restored and forked::

    snap = task.snapshot(); ...; task.restore(snap)     # back exactly
    twin = task.fork()                                  # steps on exactly as task would

A new task is a folder under ``embodied/tasks/`` with its config dataclass, its Task
subclass and one :func:`~embodied.tasks.registry.register_task` call (see
``tasks/social_nav``). Experts, people and tools read the simulation through
:meth:`Task.privileged`, not through the task's attributes.
"""

from __future__ import annotations

import copy
import math
import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Hashable, Mapping, Sequence

import gymnasium as gym
import mujoco
import numpy as np

from embodied.errors import ActionError, ConfigError, SimulationError, check_choice
from embodied.scenes.splits import SPLITS
from embodied.sim.entity import PlanarPose
from embodied.tasks.episodes import Scene, SceneCache, run_initializers

if TYPE_CHECKING:
    from embodied.scenes.home import Home
    from embodied.scenes.navmap import NavMap
    from embodied.sensors.base import Sensor
    from embodied.sim.entity import Entity
    from embodied.sim.world import World
    from embodied.tasks.actions import ActionTerm
    from embodied.tasks.episodes import Initializer

#: Episode sampling (homes, avatars, start poses) draws from its own generator, seeded
#: by the episode seed and this constant, so it never shares numbers with the World's
#: named streams, which the same episode seed also seeds.
EPISODE_SALT = 0x50C1A1


@dataclass(frozen=True)
class PrivilegedView:
    """What a privileged reader (expert, person in the loop, replay, renderer) may see of
    a running episode. Tasks extend it with their own quantities."""

    world: "World"
    home: "Home"
    navmaps: Mapping[str, "NavMap"]
    actions: Mapping[str, "ActionTerm"]
    steps: int

    def agent(self, name: str) -> "Entity":
        return self.world.entity(name)

    def navmap(self, name: str) -> "NavMap":
        from embodied.errors import NotFoundError

        if name not in self.navmaps:
            raise NotFoundError("navigation map of agent", name, self.navmaps)
        return self.navmaps[name]


@dataclass
class EpisodeSnapshot:
    """An episode at one step: the World's snapshot and the task's memory."""

    world: Any
    task: dict = field(default_factory=dict)


class Task:
    """Base class of tasks (see the module docs). Subclasses set the class attributes and
    implement the hooks marked "task hook"."""

    #: Registry name (``social_nav``), set by ``register_task``.
    name: ClassVar[str] = ""
    #: The typed config dataclass of the task.
    config_class: ClassVar[type]
    #: Observation modes the task offers.
    obs_modes: ClassVar[tuple[str, ...]] = ("state",)
    #: Episode starts tried before reset gives up (each after an EpisodeInitError).
    init_attempts: ClassVar[int] = 10
    #: The metric that ranks policies on this task (training keeps the best by it).
    primary_metric: ClassVar[str | None] = None
    #: What a keyboard session runs unless told otherwise: the robot policy, and config
    #: fields of the task (``{"partner": "keyboard"}``).
    teleop_robot_policy: ClassVar[str] = "random"
    teleop_config: ClassVar[dict] = {}
    #: Whether one env step runs a whole robot skill (then :meth:`begin_skill`,
    #: :meth:`skill_step` and :meth:`end_skill` step it control step by control step).
    skills_mode: bool = False
    skill_running: bool = False

    def __init__(self, config, split: str = "train", obs_mode: str = "state",
                 scenes: SceneCache | None = None):
        if not isinstance(config, self.config_class):
            raise ConfigError("config", config, reason=f"must be a {self.config_class.__name__}")
        self.config = config
        self.split = check_choice("split", split, SPLITS)
        self.obs_mode = check_choice("obs_mode", obs_mode, self.obs_modes)
        self.scenes = scenes if scenes is not None else SceneCache()
        self._owns_scenes = scenes is None
        self.scene: Scene | None = None
        self.actions: dict[str, "ActionTerm"] = self.make_actions()
        self.observer: str = self.observing_agent()
        self.observation_space = self._observation_space()
        if len(self.actions) == 1:
            self.action_space = next(iter(self.actions.values())).space
        else:
            self.action_space = gym.spaces.Dict({a: t.space for a, t in self.actions.items()})
        self._clear_episode()

    def _observation_space(self, agent: str | None = None) -> gym.spaces.Dict:
        """The sensor spaces of ``agent`` (default: the observing agent); sensors sized by
        the model (joints ...) are asked in the scene of the episode of seed 0."""
        from embodied.sensors.base import SpaceNeedsWorld

        agent = agent or self.observer
        try:
            return gym.spaces.Dict({s.name: s.space for s in self.make_sensors()[agent]})
        except SpaceNeedsWorld:
            key = self.scene_key(0, self.episode_rng(0))
            scene = self.scenes.scene(self._cache_key(key), lambda: self.build_scene(key))
            return scene.sensors[agent].observation_space(scene.world)

    def agent_observation_space(self, agent: str) -> gym.spaces.Dict:
        """The observation space of ``agent`` (what :meth:`observe` returns for it)."""
        return self.observation_space if agent == self.observer else self._observation_space(agent)

    # -- task hooks ------------------------------------------------------------------------
    def agents(self) -> dict[str, str]:
        """Task hook: the agents the task needs, ``{entity name: kind}`` (``robot``,
        ``humanoid``); :meth:`build_scene` puts them in the World."""
        return {}

    def make_actions(self) -> dict[str, "ActionTerm"]:
        """Task hook: the action term of each agent the task's actions drive."""
        return {}

    def make_sensors(self) -> dict[str, Sequence["Sensor"]]:
        """Task hook: the sensors mounted on each observing agent (new objects each call)."""
        return {}

    def observing_agent(self) -> str:
        """The agent whose observation :meth:`observe` returns (default: the only driven one)."""
        if len(self.actions) != 1:
            raise ConfigError("task", self.name, reason="a task driving several agents must "
                              "say which one observes (observing_agent)")
        return next(iter(self.actions))

    def scene_key(self, seed: int, rng: np.random.Generator) -> Hashable:
        """Task hook: which scene the episode of ``seed`` plays in (may draw from ``rng``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement scene_key()")

    def build_scene(self, key: Hashable) -> Scene:
        """Task hook: build the scene of ``key`` (use ``self.scenes`` for homes and maps)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_scene()")

    def initializers(self) -> Sequence["Initializer"]:
        """Task hook: the episode start, in order (after the World's reset)."""
        return ()

    def start_episode(self, seed: int) -> dict:
        """Task hook: reset the task's own memory once the agents are placed; returns the
        reset info (the base adds ``seed``)."""
        return {}

    def after_step(self) -> None:
        """Task hook: bookkeeping after each World step (trackers, counters)."""

    def reward_terms(self) -> dict[str, float]:
        """Task hook: the named reward terms of the step just taken (fixed names)."""
        return {}

    def terminated(self) -> bool:
        """Task hook: whether the episode ended (success, failure) at this step."""
        return False

    def step_info(self) -> dict:
        """Task hook: the step's info entries besides ``reward_terms``."""
        return {}

    def episode_metrics(self) -> dict[str, float]:
        """Task hook: the metrics of the episode so far (the full set at its end)."""
        return {}

    def evaluation_metrics(self, metrics: Mapping[str, float]) -> dict[str, float]:
        """Task hook: metrics evaluation adds once an episode has ended (ones that need
        more simulation, such as a reference run of the same episode); none by default."""
        return {}

    def task_state(self) -> dict:
        """Task hook: everything the task remembers between steps (its own fields)."""
        return {}

    def restore_task_state(self, state: dict) -> None:
        """Task hook: restore what :meth:`task_state` returned."""

    def privileged(self) -> PrivilegedView:
        """What privileged readers may see of the episode (tasks extend the view)."""
        s = self._scene()
        return PrivilegedView(world=s.world, home=s.home, navmaps=s.navmaps,
                              actions=self.actions, steps=self.steps)

    # -- humanoids an outside policy drives (PettingZoo's parallel env) ----------------------
    #: Config fields that leave the task's humanoids to outside policies instead of its
    #: own (``{"partner": "external"}``); the parallel env sets them.
    external_config: ClassVar[dict] = {}

    def external_agents(self) -> dict[str, "ActionTerm"]:
        """Task hook: the humanoids an outside policy may drive, with their action terms
        (their observations come from :meth:`observe`); none by default."""
        return {}

    def external_command(self, agent: str, command):
        """Task hook: what the action term of the external ``agent`` applies for its
        checked ``command`` (a task grounds a skill choice in its episode here)."""
        return command

    def agent_reward(self, agent: str, reward: float) -> float:
        """Task hook: ``agent``'s reward for a step whose task reward is ``reward``: the
        same for every agent by default (a cooperative task)."""
        return reward

    def drive_externally(self, name: str):
        """Hand the humanoid ``name`` to outside commands (a person at the keyboard or in a
        browser, a policy) for this episode: it runs a
        :class:`~embodied.skills.humanoid.Teleop` skill whose candidate objects are the
        home's free objects and whose surfaces are its receptacles'. Returns the skill."""
        from embodied.skills.humanoid import Teleop, surfaces_of

        view = self.privileged()
        world = view.world
        model = world.model
        objects = []
        for body_name in world.body_names("obj/"):
            adr = model.body_jntadr[world.body_id(body_name)]
            if body_name.endswith("/body") and adr >= 0 and \
                    model.jnt_type[adr] == mujoco.mjtJoint.mjJNT_FREE:
                objects.append(body_name)
        surfaces = tuple(s for f in view.home.receptacles() for s in surfaces_of(f))
        teleop = Teleop(objects=tuple(objects), surfaces=surfaces)
        view.agent(name).run(teleop)
        return teleop

    def teleop_agents(self) -> tuple[str, ...]:
        """Humanoids a person in the loop may drive (a session drives the first); none by
        default."""
        return ()

    def hud_rows(self) -> list[tuple[str, str]]:
        """Rows (label, value) a person in the loop sees about the episode, beside the
        session's own (episode, time, walking, camera)."""
        return []

    def headline(self, metrics: Mapping[str, float]) -> str:
        """A short line summing up an episode's metrics (for session summaries)."""
        return ", ".join(f"{k} {v:.2f}" for k, v in list(metrics.items())[:4])

    def video_lines(self) -> tuple[str, ...]:
        """Text lines over rendered frames."""
        return (f"step {self.steps}/{self.config.max_steps}",)

    def inset_camera(self) -> str | None:
        """A camera of the observing agent shown as an inset in rendered frames, if any."""
        return None

    def view_focus(self) -> list[tuple[float, float]]:
        """Floor points a third-person view should keep in frame (the agents)."""
        world = self.world
        return [(p.x, p.y) for p in (world.entity(a).get_pose(world) for a in self.actions)]

    # -- helpers tasks share ----------------------------------------------------------------
    def home_index(self, seed: int) -> int:
        """Home ``seed`` of the split, modulo ``config.homes`` when set (and non-zero)."""
        size = SPLITS[self.split].size
        n = getattr(self.config, "homes", 0) or size
        return int(seed) % min(n, size)

    @cached_property
    def robot_radius(self) -> float:
        """The footprint radius (m) of ``config.robot``'s embodiment."""
        from embodied.agents.robot import get_embodiment

        return float(get_embodiment(self.config.robot).constants.base_radius)

    # -- the episode loop -----------------------------------------------------------------
    @property
    def world(self) -> "World":
        return self._scene().world

    @property
    def control_dt(self) -> float:
        return float(self.config.control_dt)

    def episode_rng(self, seed: int) -> np.random.Generator:
        """The episode's sampling generator (see :data:`EPISODE_SALT`)."""
        return np.random.default_rng([int(seed), EPISODE_SALT])

    def reset(self, seed: int) -> tuple[dict, dict]:
        """Start the episode of ``seed``: its scene, its start, its first observation."""
        seed = int(seed)
        rng = self.episode_rng(seed)
        try:
            key = self.scene_key(seed, rng)
            self.scene = self.scenes.scene(self._cache_key(key), lambda: self.build_scene(key))
            world = self.scene.world
            world.reset(seed=seed)
            self._clear_episode()
            self.seed = seed
            run_initializers(self, self.initializers(), rng, self.init_attempts)
            mujoco.mj_forward(world.model, world.data)
            info = self.start_episode(seed)
            return self.observe(), dict(info, seed=seed)
        except BaseException:
            self.scene = None          # no half-started episode to step on: reset again
            raise

    def _cache_key(self, key: Hashable) -> Hashable:
        """The scene's key in a cache other tasks may share: the task's own key within its
        kind, split, observation mode and config."""
        return (type(self).__qualname__, self.split, self.obs_mode, self.config, key)

    def place(self, agent: str, pose: PlanarPose) -> None:
        """Put ``agent`` at ``pose`` (``Entity.set_pose``) and remember it as its start."""
        world = self.world
        world.entity(agent).set_pose(world, (pose.x, pose.y), pose.yaw)
        self.start_poses[agent] = pose

    def step(self, action) -> tuple[dict, float, bool, bool, dict]:
        """One control step of the episode (Gymnasium's step contract)."""
        self.apply_action(action)
        return self.advance()

    def apply_action(self, action) -> None:
        """Check every agent's part of ``action`` (ActionError before anything is applied),
        then give each agent its command."""
        world = self._scene().world
        if len(self.actions) == 1:
            term, = self.actions.values()
            term.apply(world, term.process(action))
        else:
            terms_of = self.actions.values()
            commands = [t.process(part) for t, part in zip(terms_of, self._split_action(action))]
            for t, command in zip(terms_of, commands):
                t.apply(world, command)

    def advance(self, observe: bool = True) -> tuple[dict | None, float, bool, bool, dict]:
        """One World step with the commands given, and the task's bookkeeping of it (the
        observation is None without ``observe``: for tasks stepping several times per
        env step)."""
        world = self._scene().world
        world.step()
        self.steps += 1
        self.after_step()
        terms = self.reward_terms()
        reward = float(sum(terms.values()))
        if not math.isfinite(reward):  # a learner would turn it into NaN weights far from here
            bad = {name: value for name, value in terms.items() if not math.isfinite(value)}
            raise SimulationError(f"{type(self).__name__} gave a non-finite reward at step "
                                  f"{self.steps}: terms {bad}")
        self.episode_return += reward
        sums = self.term_sums
        if not sums:
            sums.update(dict.fromkeys(terms, 0.0))
        for name, value in terms.items():
            sums[name] += value
        terminated = bool(self.terminated())
        truncated = self.steps >= self.config.max_steps
        info = self.step_info()
        info["reward_terms"] = terms
        if terminated or truncated:
            info["metrics"] = self.episode_metrics()
            info["reward_term_sums"] = dict(self.term_sums)
        return self.observe() if observe else None, reward, terminated, truncated, info

    def _split_action(self, action) -> list:
        if not isinstance(action, Mapping) or set(action) != set(self.actions):
            raise ActionError(f"{self.name} action must be a dict with one entry per agent "
                              f"{sorted(self.actions)}, got {action!r:.200}")
        return [action[agent] for agent in self.actions]

    def observe(self, agent: str | None = None) -> dict:
        """The observation of ``agent`` (default: the observing agent) now."""
        scene = self._scene()
        return scene.sensors[agent or self.observer].read(scene.world)

    def _scene(self) -> Scene:
        if self.scene is None:
            raise gym.error.ResetNeeded(f"{self.name}: call reset() before using the episode")
        return self.scene

    def _clear_episode(self) -> None:
        self.seed: int | None = None
        self.steps = 0
        self.episode_return = 0.0
        self.term_sums: dict[str, float] = {}
        self.start_poses: dict[str, PlanarPose] = {}

    # -- snapshots and forks ----------------------------------------------------------------
    def get_state(self) -> dict:
        """Everything the episode's task side remembers (the World has its own snapshot)."""
        return {"scene": self._scene().key, "seed": self.seed, "steps": self.steps,
                "episode_return": self.episode_return, "term_sums": dict(self.term_sums),
                "start_poses": dict(self.start_poses), "task": self.task_state()}

    def set_state(self, state: dict) -> None:
        """Restore what :meth:`get_state` returned (in the same scene)."""
        self._check_scene(state["scene"])
        self.seed, self.steps = state["seed"], state["steps"]
        self.episode_return = state["episode_return"]
        self.term_sums = dict(state["term_sums"])
        self.start_poses = dict(state["start_poses"])
        self.restore_task_state(state["task"])

    def _check_scene(self, key) -> None:
        if self._scene().key != key:
            raise ConfigError("task state", key, reason=f"recorded in another scene than the "
                              f"current one ({self.scene.key!r}); restore a snapshot of this "
                              "episode")

    def snapshot(self) -> EpisodeSnapshot:
        """The episode now: World snapshot + a deep copy of the task's memory."""
        return EpisodeSnapshot(self.world.snapshot(), copy.deepcopy(self.get_state()))

    def restore(self, snap: EpisodeSnapshot) -> None:
        """Put the episode back exactly at ``snap`` (which stays usable)."""
        self._check_scene(snap.task["scene"])
        self.world.restore(snap.world)
        self.set_state(copy.deepcopy(snap.task))

    def fork(self) -> "Task":
        """An independent copy of the episode (its own World fork and task memory) that
        steps on exactly as this one would. It shares the config, the generated homes with
        their maps, and the sensor suites (read-only or per-read); its resets build scenes
        of its own."""
        twin = copy.copy(self)
        twin.scene = dataclasses.replace(self._scene(), world=self.world.fork())
        twin.scenes = self.scenes.sharing_homes()
        twin._owns_scenes = True
        twin.action_space = copy.deepcopy(self.action_space)
        twin.observation_space = copy.deepcopy(self.observation_space)
        twin._clear_episode()
        twin.set_state(copy.deepcopy(self.get_state()))
        return twin

    def close(self) -> None:
        if self._owns_scenes:
            self.scenes.close()
        self.scene = None
