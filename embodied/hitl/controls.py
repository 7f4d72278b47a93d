"""Keys, scripted key files, and the keyboard models that turn key presses into humanoid
commands.

Viewer windows report key presses but not releases, so their controls are "sticky"
(:class:`WalkControl`):
W/S step the walking speed up/down through :data:`SPEED_LEVELS` (down past zero walks
backwards), A/D turn the heading the humanoid steers towards by :data:`TURN_STEP`
(tap three times for a right angle). Holding a key where the system repeats keys simply
steps faster. The same model runs for a window and for a scripted key file. A web
browser reports releases too, so the browser client holds keys (:class:`HeldKeys`): hold
W to walk, let go to stop. Recordings store the resulting commands, so replays never
depend on either model.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from embodied.errors import ConfigError
from embodied.geometry import wrap_angle

#: Key names -> what they do (the help overlay lists them in this order).
KEY_HELP = {
    "w": "faster / forward",
    "s": "slower / backward",
    "a": "turn left 30 deg",
    "d": "turn right 30 deg",
    "space": "pick / place nearest object",
    "r": "restart this episode",
    "n": "next episode",
    "c": "camera: follow / robot head / top-down",
    "h": "help on/off",
    "esc": "quit",
}
KEYS = tuple(KEY_HELP)

#: GLFW key codes (what ``mujoco.viewer`` key callbacks receive) -> key names.
GLFW_KEYS = {87: "w", 83: "s", 65: "a", 68: "d", 32: "space", 82: "r", 78: "n", 67: "c",
             72: "h", 256: "esc"}
_ALIASES = {"escape": "esc", " ": "space", "pick": "space", "place": "space"}

#: Walking speeds (m/s) W and S step through; negative walks backwards.
SPEED_LEVELS = (-0.4, 0.0, 0.5, 1.0, 1.4)
#: Heading change per A/D press (rad).
TURN_STEP = math.radians(30.0)
#: Turn rate per radian of heading error (1/s), capped by the humanoid's gait.
TURN_GAIN = 3.0


def key_name(key: str) -> str:
    """The canonical name of ``key`` (case-insensitive, a few aliases); ConfigError if unknown."""
    name = str(key).strip().lower()
    name = _ALIASES.get(name, name)
    if name not in KEY_HELP:
        raise ConfigError("key", key, KEYS)
    return name


@dataclass
class WalkControl:
    """Sticky keyboard walking: a speed level and a heading to steer towards."""

    level: int = SPEED_LEVELS.index(0.0)
    heading: float | None = None     # None: keep the current heading
    sticky = True                    # a pick/place request stops the humanoid

    @property
    def speed(self) -> float:
        return SPEED_LEVELS[self.level]

    def press(self, key: str, yaw: float) -> None:
        """Apply a walking key (w/s/a/d) given the humanoid's current heading."""
        if key == "w":
            self.level = min(self.level + 1, len(SPEED_LEVELS) - 1)
        elif key == "s":
            self.level = max(self.level - 1, 0)
        elif key in ("a", "d"):
            base = yaw if self.heading is None else self.heading
            self.heading = base + (TURN_STEP if key == "a" else -TURN_STEP)

    def stop(self) -> None:
        """Stand still and keep the current heading (after a pick/place, a reset)."""
        self.level, self.heading = SPEED_LEVELS.index(0.0), None

    def command(self, yaw: float, max_turn_rate: float) -> tuple[float, float]:
        """(forward m/s, turn rad/s) for the humanoid's gait this step."""
        if self.heading is None:
            return self.speed, 0.0
        error = wrap_angle(self.heading - yaw)
        if abs(error) < 1e-3:
            self.heading = None
            return self.speed, 0.0
        turn = max(-max_turn_rate, min(max_turn_rate, TURN_GAIN * error))
        return self.speed, turn

    def release(self, key: str) -> None:
        """Windows report no releases: nothing to do."""


#: Walking speeds (m/s) of held W and held S.
HELD_FORWARD, HELD_BACKWARD = 1.0, -0.4
#: Turn rate (rad/s) of held A/D, capped by the humanoid's gait.
HELD_TURN_RATE = 1.5


@dataclass
class HeldKeys:
    """Press-and-release walking: W held walks forward (:data:`HELD_FORWARD`), S held
    backwards, A/D held turn (:data:`HELD_TURN_RATE`); nothing held, the humanoid stands.
    A key pressed and released between two steps still counts for the next step, so a
    quick tap is never lost."""

    held: set = field(default_factory=set)
    tapped: set = field(default_factory=set)    # pressed since the last command
    forward: float = 0.0                         # the last commanded speed (for the HUD)
    sticky = False

    @property
    def speed(self) -> float:
        return self.forward

    def press(self, key: str, yaw: float = 0.0) -> None:
        if key in ("w", "s", "a", "d"):
            self.held.add(key)
            self.tapped.add(key)

    def release(self, key: str) -> None:
        self.held.discard(key)

    def stop(self) -> None:
        """Let go of every key (a reset, a participant who left)."""
        self.held.clear()
        self.tapped.clear()

    def command(self, yaw: float, max_turn_rate: float) -> tuple[float, float]:
        keys = self.held | self.tapped
        self.tapped = set()
        forward = (HELD_FORWARD if "w" in keys else 0.0) + (HELD_BACKWARD if "s" in keys else 0.0)
        rate = min(HELD_TURN_RATE, max_turn_rate)
        turn = (rate if "a" in keys else 0.0) - (rate if "d" in keys else 0.0)
        self.forward = forward if ("w" in keys) != ("s" in keys) else 0.0
        return self.forward, turn


@dataclass(frozen=True)
class ScriptedKey:
    """A key pressed just before session step ``step`` (0-based, counted over the session)."""

    step: int
    key: str


def read_key_script(path: str | os.PathLike) -> list[ScriptedKey]:
    """Read a key script: one ``<step> <key>`` per line (``#`` starts a comment), e.g.
    ``0 w`` then ``45 d`` then ``300 esc``. Keys are those of :data:`KEY_HELP`. Errors
    name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("script", str(path), reason="no such file") from None
    keys = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        where = f"script {path}:{number}"
        if len(parts) != 2 or not parts[0].isdigit():
            raise ConfigError(where, raw.strip(), reason="expected '<step> <key>', e.g. '30 w'")
        try:
            keys.append(ScriptedKey(int(parts[0]), key_name(parts[1])))
        except ConfigError:
            raise ConfigError(where, parts[1], KEYS, reason="unknown key") from None
    return sorted(keys, key=lambda k: k.step)
