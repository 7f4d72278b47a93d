"""Keys, scripted key files, and the keyboard model that turns key presses into humanoid
commands.

Viewer windows report key presses but not releases, so the controls are "sticky":
W/S step the walking speed up/down through :data:`SPEED_LEVELS` (down past zero walks
backwards), A/D turn the heading the humanoid steers towards by :data:`TURN_STEP`
(tap three times for a right angle). Holding a key where the system repeats keys simply
steps faster. The same model runs for a window and for a scripted key file, and the
recording stores the resulting commands, so replays never depend on it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
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
