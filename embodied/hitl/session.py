"""A teleoperation session: people (or key scripts) drive humanoids of a task while a
robot policy acts; every step is recorded.

:class:`TeleopSession` is the simulation loop shared by the interactive window
(:mod:`embodied.hitl.viewer`), the headless scripted mode (:func:`run_scripted`) and the
browser server (:mod:`embodied.hitl.web`). Each participant drives one humanoid (a
:class:`Driver`): keys are queued with :meth:`TeleopSession.press` /
:meth:`TeleopSession.release` (from any thread) and applied at the start of the next
:meth:`TeleopSession.step`. A driven humanoid runs the :class:`Teleop` behaviour,
installed after each ``env.reset`` in place of the task's wandering (the reset draws the
same random numbers either way, so episodes start exactly as in the task).
"""

from __future__ import annotations

import collections
import datetime
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embodied.errors import ConfigError, check_range
from embodied.hitl.config import (TeleopConfig, apply_humanoid, driven_teleop, humanoid_teleop,
                                  make_env, robot_decides, session_step, teleop_humanoids)
from embodied.hitl.controls import KEY_HELP, HeldKeys, WalkControl, key_name, read_key_script
from embodied.hitl.recording import RecordingError, RecordingWriter, state_digest

CAMERAS = ("follow", "robot head", "top-down")
#: Episode end reasons written to recordings.
END_REASONS = ("truncated", "reset", "next", "quit", "interrupted")
#: Keyboard models: ``sticky`` for windows (presses only), ``held`` for browsers.
CONTROLS = {"sticky": WalkControl, "held": HeldKeys}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def default_record_path(folder: str | Path = "sessions", prefix: str = "teleop") -> Path:
    """``sessions/<prefix>-<UTC date-time>.jsonl`` (a free name)."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    path = Path(folder) / f"{prefix}-{stamp}.jsonl"
    number = 1
    while path.exists():             # two sessions started within one second
        number += 1
        path = Path(folder) / f"{prefix}-{stamp}-{number}.jsonl"
    return path


@dataclass
class RealTimeStats:
    """How well a loop kept real time: steps taken late and the achieved rate."""

    steps: int = 0
    late_steps: int = 0
    max_lag: float = 0.0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.steps / self.elapsed if self.elapsed > 0 else float("nan")

    def as_dict(self, target: float) -> dict:
        return {"target_steps_per_s": target, "achieved_steps_per_s": self.rate,
                "late_steps": self.late_steps, "max_lag_s": self.max_lag,
                "kept_real_time": bool(self.steps and self.late_steps <= 0.05 * self.steps)}


@dataclass
class Driver:
    """One participant of a session and the humanoid they drive.

    ``keys`` holds (key, pressed) inputs until the next step; ``goal`` a click-to-walk
    target. ``present`` is False once the participant left: their humanoid stands and
    waits."""

    humanoid: str
    control: WalkControl | HeldKeys
    keys: collections.deque = field(default_factory=collections.deque)
    goal: tuple[float, float] | None = None
    request: str | None = None           # a pick/place/walk in progress
    message: str = ""
    camera: int = 0
    show_help: bool = False
    present: bool = True


class TeleopSession:
    """The session loop: keys -> humanoid commands, robot policy -> action, env step,
    recording. Call :meth:`start`, then :meth:`step` until :attr:`quit`, then
    :meth:`close` (also on errors: it ends the episode and closes the recording).

    Args:
        config: what to run.
        record: recording file (None: no recording).
        render_mode: passed to the env (``rgb_array`` for frames).
        participants: how many people drive humanoids (the task's first teleop agents).
        controls: keyboard model, ``sticky`` (windows) or ``held`` (browsers).
    """

    def __init__(self, config: TeleopConfig, record: str | Path | None = None,
                 render_mode: str | None = None, participants: int = 1,
                 controls: str = "sticky"):
        import mujoco

        from embodied import __version__
        from embodied.policies import make_policy

        self.config = config
        self.task_cfg = config.task_config()
        self.policy_cfg = config.policy_config()
        self.env = make_env(self.task_cfg, config.split, render_mode)
        try:
            self.policy = make_policy(self.policy_cfg, env=self.env, checkpoint=config.checkpoint)
        except BaseException:
            self.env.close()
            raise
        self.task = self.env.unwrapped.task
        self.dt = float(self.env.unwrapped.dt)
        try:
            if controls not in CONTROLS:
                raise ConfigError("controls", controls, tuple(CONTROLS))
            names = teleop_humanoids(self.task, participants)
        except BaseException:
            self.env.close()
            raise
        self.drivers = [Driver(name, CONTROLS[controls]()) for name in names]
        self._session_keys: collections.deque[tuple[int, str]] = collections.deque()
        self.quit = False
        self.total_steps = 0
        self.episode = 0
        self.seed = config.seed
        self.episodes: list[dict] = []
        self.realtime = RealTimeStats()
        self.started = time.perf_counter()
        self.record_path = Path(record) if record is not None else None
        if self.record_path is not None and self.record_path.exists():
            self.env.close()
            raise RecordingError(f"recording {self.record_path} already exists; choose "
                                 "another --record path")
        self.writer = None
        self._header = {"embodied_version": __version__, "mujoco_version": mujoco.__version__,
                        "task": self.task_cfg, "split": config.split, "seed": config.seed,
                        "robot_policy": self.policy_cfg, "checkpoint": config.checkpoint,
                        "control_dt": self.dt, "driven": list(names), "controls": controls}
        self._obs = None
        self._started = False

    # -- episodes ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the first episode."""
        self._begin(self.seed)

    def _begin(self, seed: int) -> None:
        self.episode = len(self.episodes)
        self.seed = int(seed)
        self._obs, self.info = self.env.reset(seed=self.seed)
        self.policy.reset(self.env, self.seed)
        for d in self.drivers:
            humanoid_teleop(self.task, d.humanoid)
            d.control.stop()
            d.request, d.goal = None, None
            d.keys.clear()
        self._started = True
        self.last_step_info: dict = {}
        if self.writer is None and self.record_path is not None:
            # created once the policy has accepted the env, so a misconfigured session
            # leaves no recording behind
            self.writer = RecordingWriter(self.record_path, dict(self._header, created=_now()))
        self._recorded_start = False    # the episode line is written at its first step

    def _end(self, reason: str) -> dict | None:
        """Finish the current episode (not recorded if it has no step)."""
        if self.task.steps == 0:
            return None
        metrics = self.task.episode_metrics()
        digest = state_digest(self.world)
        record = {"episode": self.episode, "seed": self.seed, "reason": reason,
                  "headline": self.task.headline(metrics),
                  "steps": self.task.steps, "metrics": metrics, "digest": digest}
        self.episodes.append(record)
        if self.writer is not None:
            self.writer.end(self.episode, reason, self.task.steps, metrics, digest,
                            **self._poses())
        return record

    @property
    def world(self):
        """The World of the current episode (through the task's privileged view)."""
        return self.task.privileged().world

    @property
    def humanoid(self):
        """The humanoid the first participant drives."""
        return self.world.entity(self.drivers[0].humanoid)

    def _poses(self) -> dict:
        world = self.world
        pose = lambda name: [float(v) for v in world.entity(name).get_pose(world)]  # noqa: E731
        out = {"humanoid": pose(self.drivers[0].humanoid), "robot": pose(self.task.observer)}
        if len(self.drivers) > 1:
            out["humanoids"] = {d.humanoid: pose(d.humanoid) for d in self.drivers}
        return out

    # -- input ------------------------------------------------------------------------------
    def press(self, key: str, participant: int = 0) -> None:
        """Queue a key press of ``participant`` (thread-safe); it takes effect at the next
        :meth:`step`. Episode keys (r, n, esc) act for everyone."""
        self._driver(participant).keys.append((key_name(key), True))

    def release(self, key: str, participant: int = 0) -> None:
        """Queue a key release (held-key controls walk until the release)."""
        self._driver(participant).keys.append((key_name(key), False))

    def walk_to(self, xy, participant: int = 0) -> None:
        """Ask ``participant``'s humanoid to walk to the floor point ``xy`` (click-to-walk)."""
        x, y = float(xy[0]), float(xy[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ConfigError("walk_to", xy, reason="must be two finite numbers (metres)")
        self._driver(participant).goal = (x, y)

    def leave(self, participant: int) -> None:
        """``participant`` is gone: their humanoid stands and waits; recorded so far is kept."""
        d = self._driver(participant)
        d.present = False
        d.keys.append(("leave", True))
        if self.writer is not None:
            self.writer.flush()

    def rejoin(self, participant: int) -> None:
        """A participant takes their humanoid back."""
        self._driver(participant).present = True

    def teleop(self, participant: int = 0):
        """The Teleop skill ``participant``'s humanoid runs now."""
        return driven_teleop(self.task, self._driver(participant).humanoid)

    def _driver(self, participant: int) -> Driver:
        if not (isinstance(participant, int) and 0 <= participant < len(self.drivers)):
            raise ConfigError("participant", participant, tuple(range(len(self.drivers))))
        return self.drivers[participant]

    @property
    def camera(self) -> int:
        return self.drivers[0].camera

    @property
    def camera_name(self) -> str:
        return CAMERAS[self.drivers[0].camera]

    @property
    def show_help(self) -> bool:
        return self.drivers[0].show_help

    @property
    def message(self) -> str:
        """The first participant's last request outcome ("pick: done", ...)."""
        return self.drivers[0].message

    @property
    def walk(self):
        """The first participant's keyboard model."""
        return self.drivers[0].control

    def _handle_keys(self) -> list:
        """Apply queued inputs; returns each driver's request for this step (None, "pick",
        "place", "cancel" or ("walk", x, y))."""
        events: list = [None] * len(self.drivers)
        for i, d in enumerate(self.drivers):
            h = self.world.entity(d.humanoid)
            took_keys = False
            while d.keys:
                key, pressed = d.keys.popleft()
                if key == "leave":
                    d.control.stop()
                    continue
                if not pressed:
                    d.control.release(key)
                elif key in ("w", "s", "a", "d"):
                    d.control.press(key, h.yaw)
                    took_keys = True
                elif key == "space" and events[i] is None:
                    events[i] = "place" if h.holding is not None else "pick"
                    d.control.stop()
                elif key in ("r", "n"):
                    self._session_keys.append((i, key))
                elif key == "c":
                    d.camera = (d.camera + 1) % len(CAMERAS)
                elif key == "h":
                    d.show_help = not d.show_help
                elif key == "esc":
                    self.quit = True
            if d.goal is not None:
                if events[i] is None:
                    events[i] = ("walk", *d.goal)
                d.goal = None
            elif took_keys and events[i] is None and d.request == "walk":
                events[i] = "cancel"
        while self._session_keys:
            i, key = self._session_keys.popleft()
            self._end("reset" if key == "r" else "next")
            self._begin(self.seed if key == "r" else self.seed + 1)
            self.drivers[i].message = "episode restarted" if key == "r" else "next episode"
            events = [None] * len(self.drivers)
        return events

    # -- the loop ---------------------------------------------------------------------------
    def step(self) -> dict | None:
        """Apply queued inputs, then one control step of the humanoids and the robot.
        Returns the env info (None when a key asked to quit)."""
        events = self._handle_keys()
        if self.quit:
            return None
        task = self.task
        if self.writer is not None and not self._recorded_start:
            self.writer.episode(self.episode, self.seed, **self._poses())
            self._recorded_start = True
        commands = []
        for i, (d, event) in enumerate(zip(self.drivers, events)):
            h = self.world.entity(d.humanoid)
            if self.teleop(i).child is not None and d.control.sticky:
                d.control.stop()
            command = d.control.command(h.yaw, h.config.gait.max_turn_rate)
            commands.append(command)
            apply_humanoid(task, d.humanoid, command, event)
            if event == "cancel":
                d.request, d.message = None, "walk cancelled"
            elif event is not None:
                kind = event if isinstance(event, str) else event[0]
                teleop = self.teleop(i)
                started = teleop.child is not None
                d.message = f"{kind}..." if started else f"{kind}: {teleop.last}"
                d.request = kind if started else None
        action = np.asarray(self.policy.act(self._obs, self.env)) if robot_decides(self.env) else None
        obs, terminated, truncated, info = session_step(self.env, action)
        if obs is not None:
            self._obs = obs
        if self.writer is not None:
            self.writer.step(commands, action, events)
        self.total_steps += 1
        for i, d in enumerate(self.drivers):
            teleop = self.teleop(i)
            if d.request is not None and teleop.child is None:
                d.message = f"{d.request}: {teleop.last}"       # "pick: done", ...
                d.request = None
        self.last_step_info = info
        if terminated or truncated:
            self._end("truncated")
            self._begin(self.seed + 1)
        return info

    def close(self, reason: str = "quit") -> dict:
        """End the current episode, close the recording, return the session summary."""
        if reason not in END_REASONS:
            raise ConfigError("reason", reason, END_REASONS)
        if self._started:
            self._end(reason)
        summary = self.summary()
        if self.writer is not None:
            self.writer.close({"episodes": len(self.episodes), "reason": reason,
                               "realtime": summary.get("realtime")})
        self.env.close()
        return summary

    def abandon(self) -> None:
        """After a crash: keep what was recorded (no closing line), release the env."""
        if self.writer is not None:
            self.writer.abandon()
        self.env.close()

    # -- reporting --------------------------------------------------------------------------
    def hud_rows(self, participant: int = 0) -> list[tuple[str, str]]:
        """The rows (label, value) ``participant`` sees: the task's, the session's; the
        key help when toggled."""
        task, d = self.task, self._driver(participant)
        holding = self.world.entity(d.humanoid).holding
        held = self.world.model.body(holding).name.split("/")[1] if holding is not None else "-"
        rows = [
            ("episode", f"{self.episode} (seed {self.seed}, {self.info.get('home', task.split)})"),
            ("elapsed", f"{task.steps * self.dt:5.1f} s  step {task.steps}/{task.config.max_steps}"),
            *task.hud_rows(),
            ("walking", f"{d.control.speed:+.1f} m/s  holding {held}"),
            ("camera", CAMERAS[d.camera]),
        ]
        if len(self.drivers) > 1:
            rows.insert(2, ("you drive", d.humanoid))
        rt = self.realtime
        if rt.steps:
            late = rt.late_steps / rt.steps
            rows.append(("real time", f"{rt.rate:.1f} steps/s" + (
                f"  SLOW ({late:.0%} late)" if late > 0.05 else "")))
        if d.message:
            rows.append(("last", d.message))
        if d.show_help:
            rows.append(("", ""))
            rows += [(k.upper() if len(k) == 1 else k, v) for k, v in KEY_HELP.items()]
        else:
            rows.append(("H", "help"))
        return rows

    def hud(self, participant: int = 0) -> tuple[str, str]:
        """Left and right columns of the on-screen text (see :meth:`hud_rows`)."""
        rows = self.hud_rows(participant)
        return "\n".join(r[0] for r in rows), "\n".join(r[1] for r in rows)

    def summary(self) -> dict:
        """The session summary (printed at the end, stored in the closing line)."""
        out = {"episodes": list(self.episodes), "steps": self.total_steps,
               "wall_time_s": time.perf_counter() - self.started,
               "robot_policy": self.policy_cfg.get("name"),
               "recording": str(self.record_path) if self.record_path else None}
        if self.realtime.steps:
            out["realtime"] = self.realtime.as_dict(1.0 / self.dt)
        return out


def run_scripted(config: TeleopConfig, script: str | Path | list, record: str | Path | None,
                 steps: int | None = None) -> dict:
    """Run a session headlessly (no window, no rendering) from a key script (a file of
    ``<step> <key>`` lines or a list of :class:`ScriptedKey`). It stops at an ``esc``
    key or after ``steps`` steps (default: one step after the last scripted key, or one
    episode without keys).
    Returns the session summary (with ``interrupted`` after Ctrl-C)."""
    keys = read_key_script(script) if isinstance(script, (str, Path)) else list(script)
    if steps is not None:
        check_range("steps", steps, 1, 10**8, integer=True)
    session = TeleopSession(config, record)
    if steps is None:
        steps = keys[-1].step + 1 if keys else session.task.config.max_steps
    pending = collections.deque(keys)
    try:
        session.start()
        while session.total_steps < steps and not session.quit:
            while pending and pending[0].step <= session.total_steps:
                session.press(pending.popleft().key)
            session.step()
    except KeyboardInterrupt:
        return dict(session.close("interrupted"), interrupted=True)
    except BaseException:
        session.abandon()
        raise
    return session.close("quit")


def format_summary(summary: dict) -> str:
    """Human-readable lines of a session or replay summary."""
    lines = []
    for e in summary["episodes"]:
        line = f"  episode {e['episode']} seed {e['seed']}: {e['steps']} steps ({e['reason']})"
        if e.get("headline"):
            line += f", {e['headline']}"
        if "identical" in e:
            line += "  replay: " + ("identical" if e["identical"] else
                                    "DIFFERENT (" + ", ".join(e["differences"]) + ")")
        lines.append(line)
    head = f"{summary['steps']} steps in {len(summary['episodes'])} episodes"
    rt = summary.get("realtime")
    if rt:
        head += (f", {rt['achieved_steps_per_s']:.1f} steps/s (target "
                 f"{rt['target_steps_per_s']:.0f}" + ("" if rt["kept_real_time"] else
                 f"; real time NOT kept: {rt['late_steps']} late steps, max lag "
                 f"{rt['max_lag_s'] * 1000:.0f} ms") + ")")
    if summary.get("recording"):
        head += f"; recording {summary['recording']}"
    return "\n".join([head] + lines)
