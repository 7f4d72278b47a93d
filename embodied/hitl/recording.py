"""Session recordings: JSON lines that survive Ctrl-C and crashes.

A recording is one JSON object per line:

- ``header`` (first line): format and version, package and MuJoCo versions, the task
  config, split, robot policy, control period and the driven humanoids (``driven``);
- ``episode``: an episode starts (its index, reset seed, humanoid and robot positions);
- ``step``: one control step: ``h`` each driven humanoid's command (forward m/s, turn
  rad/s), ``a`` the robot action (a skill choice starting, or null while the robot's
  skill runs on, in a skills-mode task), ``e`` (when any) each humanoid's request made
  before the step: null, ``"pick"``, ``"place"``, ``"cancel"`` or ``["walk", x, y]``;
- ``end``: an episode ends (``reason``: truncated, reset, next, quit, interrupted), with
  its step count, metrics, a digest of the final physics state and the final positions;
- ``close`` (last line): the session ended cleanly.

The file is appended to and flushed + fsynced every second of simulated time and at
every episode boundary, so a crash loses at most the last second. A missing ``close``
line or an incomplete last line marks a truncated recording: reading it raises
:class:`RecordingError` unless the readable prefix is explicitly accepted.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embodied.errors import EmbodiedError
from embodied.io import json_default

FORMAT = "embodied-teleop"
FORMAT_VERSION = 3
#: Versions this package reads (2: a null ``a`` while a robot skill runs on; 3: several
#: driven humanoids, click-to-walk requests). Older steps are read as version 3's.
READABLE_VERSIONS = (1, 2, 3)
#: Steps between flushes to disk (one second at 30 steps/s).
FLUSH_EVERY = 30


class RecordingError(EmbodiedError):
    """A recording cannot be read or replayed as it is. The message says why and where."""


def state_digest(world) -> str:
    """SHA-256 (first 16 hex digits) of the physics state that a replay must reproduce."""
    d = world.data
    h = hashlib.sha256()
    for array in (d.qpos, d.qvel, d.mocap_pos, d.mocap_quat):
        h.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def _floats(values) -> list[float]:
    # repr round-trips doubles exactly; float32 actions widen exactly to doubles
    return [float(v) for v in values]


class RecordingWriter:
    """Appends a session to a JSON-lines file (see the module docs).

    Args:
        path: the file (its folder is created). An existing file is not overwritten.
        header: the session description stored in the first line.
    """

    def __init__(self, path: str | os.PathLike, header: dict[str, Any]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._file = open(self.path, "x", encoding="utf-8")
        except FileExistsError:
            raise RecordingError(f"recording {self.path} already exists; choose another "
                                 "--record path") from None
        self._pending = 0
        self.steps = 0
        self._write({"type": "header", "format": FORMAT, "format_version": FORMAT_VERSION,
                     **header}, sync=True)

    def _write(self, record: dict, sync: bool = False) -> None:
        self._file.write(json.dumps(record, default=json_default, allow_nan=True,
                                    separators=(",", ":")) + "\n")
        self._pending += 1
        if sync:
            self.flush()

    def flush(self) -> None:
        """Push everything written so far to the disk."""
        if self._pending:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._pending = 0

    def episode(self, index: int, seed: int, **poses) -> None:
        self._write({"type": "episode", "episode": index, "seed": int(seed), **poses}, sync=True)

    def step(self, humanoid_commands, robot_action, events=None) -> None:
        """One control step: a command per driven humanoid, the robot's action (None while
        its skill runs on) and each humanoid's request (see the module docs)."""
        record = {"type": "step", "h": [_floats(c) for c in humanoid_commands],
                  "a": None if robot_action is None else _floats(np.atleast_1d(robot_action))}
        if events and any(e is not None for e in events):
            record["e"] = [e if e is None or isinstance(e, str) else [e[0], *_floats(e[1:])]
                           for e in events]
        self._write(record)
        self.steps += 1
        if self._pending >= FLUSH_EVERY:
            self.flush()

    def end(self, index: int, reason: str, steps: int, metrics: dict, digest: str,
            **poses) -> None:
        self._write({"type": "end", "episode": index, "reason": reason, "steps": steps,
                     "metrics": metrics, "digest": digest, **poses}, sync=True)

    def close(self, summary: dict | None = None) -> None:
        """Write the closing line (marks a complete session) and close the file."""
        if self._file.closed:
            return
        self._write({"type": "close", "steps": self.steps, **(summary or {})}, sync=True)
        self._file.close()

    def abandon(self) -> None:
        """Close without the closing line (the session did not end cleanly)."""
        if not self._file.closed:
            self.flush()
            self._file.close()


@dataclass
class RecordedEpisode:
    """One episode of a recording: its seed, start record, steps and (if it ended) its
    end record."""

    index: int
    seed: int
    start: dict = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)
    end: dict | None = None


@dataclass
class Recording:
    """A parsed recording. ``problem`` describes a truncation when it was accepted."""

    path: Path
    header: dict
    episodes: list[RecordedEpisode]
    close: dict | None
    problem: str | None = None

    @property
    def total_steps(self) -> int:
        return sum(len(e.steps) for e in self.episodes)


def read_recording(path: str | os.PathLike, allow_truncated: bool = False,
                   allow_other_version: bool = False) -> Recording:
    """Parse and check a recording.

    Raises :class:`RecordingError` for a file that is not a recording, a format version
    this package cannot read, a recording made with another version of embodied or
    MuJoCo (unless ``allow_other_version``: it may not replay identically), or a truncated file (an
    incomplete or unreadable line, no closing line) unless ``allow_truncated``: then the
    readable prefix is returned with ``problem`` set.
    """
    from embodied import __version__

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"recording {path} does not exist") from None
    lines = data.split(b"\n")
    complete_end = data.endswith(b"\n")
    if complete_end:
        lines.pop()
    if not lines or not lines[0].strip():
        raise RecordingError(f"recording {path} is empty")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordingError(f"{path} is not an embodied teleop recording (its first line "
                             f"is not a '{FORMAT}' header)")
    if header.get("format_version") not in READABLE_VERSIONS:
        raise RecordingError(f"{path}: recording format version {header.get('format_version')!r}"
                             f" cannot be read by embodied {__version__} (reads versions "
                             f"{', '.join(map(str, READABLE_VERSIONS))})")
    import mujoco

    for package, installed in (("embodied", __version__), ("mujoco", mujoco.__version__)):
        recorded = header.get(f"{package}_version")
        if recorded != installed and not allow_other_version:
            raise RecordingError(f"{path} was recorded with {package} {recorded!r}, this is "
                                 f"{package} {installed}: the simulation may differ; pass "
                                 "--allow-other-version to replay it anyway")
    episodes: list[RecordedEpisode] = []
    close = None
    problem = None
    for number, raw in enumerate(lines[1:], 2):
        last = number == len(lines)
        if last and not complete_end:
            problem = f"line {number} is incomplete (the file was cut while writing)"
            break
        try:
            record = json.loads(raw)
            kind = record["type"]
        except (ValueError, KeyError, TypeError):
            problem = f"line {number} is not a valid record"
            break
        if close is not None:
            problem = f"line {number} follows the closing line"
            break
        if kind == "episode":
            episodes.append(RecordedEpisode(int(record["episode"]), int(record["seed"]), record))
        elif kind == "step" and episodes and episodes[-1].end is None:
            if header["format_version"] < 3:          # one humanoid, its command unlisted
                record["h"] = [record["h"]]
                if "e" in record:
                    record["e"] = [record["e"]]
            episodes[-1].steps.append(record)
        elif kind == "end" and episodes and episodes[-1].end is None:
            episodes[-1].end = record
        elif kind == "close":
            close = record
        else:
            problem = f"line {number}: unexpected '{kind}' record"
            break
    if problem is None and close is None:
        problem = "it has no closing line (the session was interrupted or crashed)"
    if problem is not None:
        kept = sum(len(e.steps) for e in episodes)
        message = (f"recording {path} is truncated: {problem}; {kept} steps in "
                   f"{len(episodes)} episodes are readable")
        if not allow_truncated:
            raise RecordingError(message + "; pass --allow-truncated to replay them")
        problem = message
    return Recording(path, header, episodes, close, problem)


def same_value(a, b) -> bool:
    """Exact equality that treats NaN as equal to NaN (metrics use NaN for "never")."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def metric_differences(recorded: dict, replayed: dict) -> list[str]:
    """Names of metrics whose replayed value differs from the recorded one."""
    names = sorted(set(recorded) | set(replayed))
    return [n for n in names if not same_value(recorded.get(n), replayed.get(n))]
