"""Teleoperation costs: a session step (humanoid command + heuristic robot + env step),
with and without recording, and a replay step; the real-time headroom at 30 steps/s."""

from __future__ import annotations

import tempfile
from pathlib import Path

from embodied.benchmarks.timing import median_seconds


def run(steps: int = 150, repeats: int = 5) -> dict:
    """Median milliseconds per control step of a headless session (keys W W: the
    humanoid walks), its recording overhead, a replay step, and ``realtime_headroom``:
    the control period (33.3 ms) over the recorded session step (>1: real time holds
    before rendering)."""
    from embodied.hitl.config import make_teleop_config
    from embodied.hitl.recording import FLUSH_EVERY
    from embodied.hitl.replay import replay
    from embodied.hitl.session import TeleopSession

    config = make_teleop_config(["seed=4", f"task.config.max_steps={10 * steps}"])
    with tempfile.TemporaryDirectory() as folder:
        out: dict = {}
        for label, recording in (("session_step_ms", False), ("recorded_session_step_ms", True)):
            runs = iter(range(10**6))

            def session_steps(recording=recording):
                record = Path(folder) / f"b{next(runs)}.jsonl" if recording else None
                session = TeleopSession(config, record)
                session.start()
                session.press("w")
                session.press("w")
                for _ in range(steps):
                    session.step()
                session.close()

            # setup (env build, first reset) is the same in both: subtract it
            setup = median_seconds(lambda: _setup_only(config), repeats=repeats)
            total = median_seconds(session_steps, repeats=repeats)
            out[label] = 1000.0 * max(total - setup, 0.0) / steps
        record = Path(folder) / "b0.jsonl"
        whole = median_seconds(lambda: replay(record), repeats=repeats)
        setup = median_seconds(lambda: _setup_only(config), repeats=repeats)
        out["replay_step_ms"] = 1000.0 * max(whole - setup, 0.0) / steps
    out["recording_overhead_ratio"] = out["recorded_session_step_ms"] / out["session_step_ms"]
    out["realtime_headroom"] = (1000.0 / 30.0) / out["recorded_session_step_ms"]
    out["flush_every_steps"] = FLUSH_EVERY
    return out


def _setup_only(config) -> None:
    from embodied.hitl.session import TeleopSession

    session = TeleopSession(config, None)
    session.start()
    session.close()


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
