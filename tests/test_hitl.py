"""Human-in-the-loop sessions without a person: scripted keys, recordings, exact replay,
truncated and foreign recordings, and the no-display message."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from embodied.errors import ConfigError
from embodied.hitl.config import make_teleop_config, parse_overrides
from embodied.hitl.controls import (
    GLFW_KEYS,
    KEY_HELP,
    SPEED_LEVELS,
    TURN_STEP,
    WalkControl,
    read_key_script,
)
from embodied.hitl.recording import FLUSH_EVERY, RecordingError, read_recording
from embodied.hitl.replay import replay
from embodied.hitl.session import RealTimeStats, TeleopSession, format_summary, run_scripted
from embodied.hitl.viewer import RealTimeClock

SHORT = ["task.config.max_steps=60", "seed=0"]


def write_script(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_walk_control_steps_speed_levels_and_turns_towards_heading():
    walk = WalkControl()
    assert walk.command(0.0, 1.5) == (0.0, 0.0)
    for _ in range(10):
        walk.press("w", 0.0)
    assert walk.speed == SPEED_LEVELS[-1]
    for _ in range(10):
        walk.press("s", 0.0)
    assert walk.speed == SPEED_LEVELS[0] < 0          # down past zero walks backwards
    walk.stop()
    walk.press("a", 0.2)
    walk.press("a", 0.2)                               # presses accumulate
    assert walk.heading == pytest.approx(0.2 + 2 * TURN_STEP)
    speed, turn = walk.command(0.2, 1.5)
    assert speed == 0.0 and turn == 1.5                # capped at the gait's turn rate
    _, turn = walk.command(0.2 + 2 * TURN_STEP - 0.1, 1.5)
    assert turn == pytest.approx(0.3)                  # proportional near the heading
    assert walk.command(walk.heading, 1.5) == (0.0, 0.0) and walk.heading is None


def test_key_script_parsing_and_errors_name_file_and_line(tmp_path):
    path = write_script(tmp_path / "keys.txt", ["# drive", "30 D", "0 w  # first", "", "5 Escape"])
    keys = read_key_script(path)
    assert [(k.step, k.key) for k in keys] == [(0, "w"), (5, "esc"), (30, "d")]
    write_script(path, ["0 w", "4 jump"])
    with pytest.raises(ConfigError, match=r"keys.txt:2.*unknown key.*'space'"):
        read_key_script(path)
    write_script(path, ["w 0"])
    with pytest.raises(ConfigError, match=r"keys.txt:1.*<step> <key>"):
        read_key_script(path)
    with pytest.raises(ConfigError, match="no such file"):
        read_key_script(tmp_path / "missing.txt")
    # every key has a window key code, and nothing else is mapped
    assert sorted(GLFW_KEYS.values()) == sorted(KEY_HELP)


def test_options_parse_into_fields_and_nested_overrides():
    fields, nested = parse_overrides(["robot_policy=random", "seed=4", "task.config.max_steps=90",
                                      "task.config.home.static_objects=true",
                                      "policy.config.follow_distance=1.2"])
    assert fields == {"robot_policy": "random", "seed": 4}
    assert nested["task_overrides"] == {"config": {"max_steps": 90, "home": {"static_objects": True}}}
    assert nested["policy_overrides"] == {"config": {"follow_distance": 1.2}}
    with pytest.raises(ConfigError, match="'option'.*'foo'.*task.<field>"):
        parse_overrides(["foo=1"])
    with pytest.raises(ConfigError, match="'task'.*'nav'.*'social_nav'"):
        make_teleop_config(["task=nav"]).task_config()
    cfg = make_teleop_config([]).task_config()
    assert cfg["config"]["home"]["static_objects"] is False       # objects can be picked
    with pytest.raises(ConfigError, match="'policy'.*'nope'.*'heuristic'"):
        TeleopSession(make_teleop_config(["robot_policy=nope"]), None)


def test_scripted_session_moves_humanoid_records_and_replays_identically(tmp_path):
    # W W: walk at 1 m/s; D: turn right; N: next episode; the 60-step episodes truncate
    script = write_script(tmp_path / "keys.txt", ["0 w", "0 w", "20 d", "50 n", "140 esc"])
    record = tmp_path / "session.jsonl"
    session = TeleopSession(make_teleop_config(["task.config.max_steps=60", "seed=6"]), record)
    session.start()                                 # seed 6: open floor ahead of the humanoid
    start = session.humanoid.position.copy()
    start_yaw = session.humanoid.yaw
    session.press("w")
    session.press("W")
    for step in range(45):
        if step == 20:
            session.press("d")
        session.step()
    h = session.humanoid
    assert np.linalg.norm(h.position - start) > 1.0 and h.speed == 1.0   # walked at 1 m/s
    assert math.cos(h.yaw - (start_yaw - TURN_STEP)) > math.cos(0.1)  # turned right by 30 deg
    session.close()

    record2 = tmp_path / "scripted.jsonl"
    summary = run_scripted(make_teleop_config(SHORT), script, record2)
    assert summary["steps"] == 140
    reasons = [(e["seed"], e["reason"], e["steps"]) for e in summary["episodes"]]
    assert reasons == [(0, "next", 50), (1, "truncated", 60), (2, "quit", 30)]
    rec = read_recording(record2)
    assert rec.problem is None and rec.total_steps == 140 and rec.close["reason"] == "quit"
    assert rec.header["robot_policy"]["name"] == "heuristic" and rec.header["seed"] == 0
    assert rec.episodes[0].steps[0]["h"] == [[1.0, 0.0]]
    result = replay(record2)
    assert result["identical"] and result["compared_episodes"] == 3
    for live, again in zip(summary["episodes"], result["episodes"]):
        assert again["digest"] == live["digest"] and again["metrics"].keys() == live["metrics"].keys()
    text = format_summary(result)
    assert "replay: identical" in text and "140 steps in 3 episodes" in text


def test_replay_detects_a_changed_action(tmp_path):
    record = tmp_path / "s.jsonl"
    run_scripted(make_teleop_config(SHORT), write_script(tmp_path / "k", ["0 w", "40 esc"]), record)
    lines = record.read_text().splitlines()
    step = next(i for i, line in enumerate(lines) if '"type":"step"' in line)
    entry = json.loads(lines[step + 5])
    entry["a"] = [1.0, 1.0] if entry["a"] != [1.0, 1.0] else [-1.0, -1.0]
    lines[step + 5] = json.dumps(entry)
    record.write_text("\n".join(lines) + "\n")
    result = replay(record)
    assert not result["identical"] and "final state" in result["episodes"][0]["differences"]


def test_pick_and_place_with_space_key_replays_exactly(tmp_path):
    # seed 0: a book lies 0.76 m from the humanoid's start (within the 1.2 m pick radius)
    script = write_script(tmp_path / "k", ["0 space", "150 w", "200 s", "230 space", "385 esc"])
    # 385 esc stops the scripted loop; one more step after H shows the help overlay
    record = tmp_path / "pick.jsonl"
    session = TeleopSession(make_teleop_config(["task.config.max_steps=400"]), record)
    session.start()
    keys = read_key_script(script)
    held, messages = [], []
    while not session.quit:
        while keys and keys[0].step <= session.total_steps:
            session.press(keys.pop(0).key)
        if session.step() is not None:
            held.append(session.humanoid.holding)
            messages.append(session.message)
    left, right = session.hud()
    session.press("h")
    session.step()
    help_left, help_right = session.hud()
    session.close()
    assert held[140] is not None and held[229] is not None and held[-1] is None
    assert messages[0] == "pick..." and messages[149] == "pick: done"
    assert messages[-1] == "place: done"
    rows = dict(zip(left.splitlines(), right.splitlines()))
    assert rows["distance to robot"].endswith(" m") and rows["walking"].startswith("+0.0 m/s")
    assert rows["robot"] in ("FOLLOWING", "searching", "lost") and "step 385/400" in rows["elapsed"]
    assert "pick / place nearest object" in help_right and "pick / place" not in right
    rec = read_recording(record)
    events = [s.get("e") for s in rec.episodes[0].steps if "e" in s]
    assert events == [["pick"], ["place"]]
    assert replay(record)["identical"]


def test_interrupted_and_crashed_sessions_keep_a_replayable_prefix(tmp_path, monkeypatch):
    config = make_teleop_config(SHORT)
    calls = {"n": 0}
    original = TeleopSession.step

    def step_then_fail(self, error):
        calls["n"] += 1
        if calls["n"] > 100:
            raise error
        return original(self)

    # Ctrl-C: the episode is ended and the recording closed properly
    monkeypatch.setattr(TeleopSession, "step", lambda self: step_then_fail(self, KeyboardInterrupt()))
    summary = run_scripted(config, [], tmp_path / "ctrlc.jsonl", steps=500)
    assert summary["interrupted"] and summary["episodes"][-1]["reason"] == "interrupted"
    assert replay(tmp_path / "ctrlc.jsonl")["identical"]

    # a crash: no closing line; everything up to the last flush is kept
    calls["n"] = 0
    monkeypatch.setattr(TeleopSession, "step", lambda self: step_then_fail(self, RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        run_scripted(config, [], tmp_path / "crash.jsonl", steps=500)
    monkeypatch.undo()
    with pytest.raises(RecordingError, match="truncated: it has no closing line.*--allow-truncated"):
        read_recording(tmp_path / "crash.jsonl")
    rec = read_recording(tmp_path / "crash.jsonl", allow_truncated=True)
    assert rec.total_steps >= 100 - FLUSH_EVERY and rec.episodes[0].end is not None
    with pytest.warns(UserWarning, match="truncated"):
        result = replay(rec)
    assert result["identical"] and result["compared_episodes"] == 1     # the finished episode
    assert result["episodes"][-1]["reason"] == "unfinished"


def test_truncated_and_foreign_recordings_are_named_clearly(tmp_path):
    record = tmp_path / "s.jsonl"
    run_scripted(make_teleop_config(SHORT), write_script(tmp_path / "k", ["0 w", "80 esc"]), record)
    data = record.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) // 2 + 7])            # ends inside a line
    with pytest.raises(RecordingError, match=r"cut.jsonl is truncated: line \d+ is incomplete"):
        read_recording(cut)
    rec = read_recording(cut, allow_truncated=True)
    assert 0 < rec.total_steps < 80 and rec.close is None

    lines = data.decode().splitlines()
    header = json.loads(lines[0])
    for change, message in (({"embodied_version": "9.9"}, "recorded with embodied '9.9'"),
                            ({"mujoco_version": "3.1.0"}, "recorded with mujoco '3.1.0'.*"
                                                          "--allow-other-version"),
                            ({"format_version": 7}, "format version 7 cannot be read")):
        other = tmp_path / "other.jsonl"
        other.write_text("\n".join([json.dumps({**header, **change})] + lines[1:]) + "\n")
        with pytest.raises(RecordingError, match=message):
            read_recording(other)
    assert read_recording(other.parent / "s.jsonl").problem is None
    other.write_text("\n".join([json.dumps({**header, "embodied_version": "9.9"})] + lines[1:]) + "\n")
    assert replay(read_recording(other, allow_other_version=True))["identical"]
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(RecordingError, match="not an embodied teleop recording"):
        read_recording(text)
    with pytest.raises(RecordingError, match="does not exist"):
        read_recording(tmp_path / "nothing.jsonl")


def test_replay_video_is_written_atomically(tmp_path):
    record = tmp_path / "s.jsonl"
    run_scripted(make_teleop_config(["task.config.max_steps=20"]),
                 write_script(tmp_path / "k", ["0 w", "12 esc"]), record)
    result = replay(record, video=tmp_path / "out" / "replay.mp4", width=160, height=120)
    assert result["identical"]
    files = os.listdir(tmp_path / "out")
    assert files == ["replay.mp4"] and (tmp_path / "out" / "replay.mp4").stat().st_size > 1000


def test_real_time_clock_counts_late_steps():
    stats = RealTimeStats()
    clock = RealTimeClock(0.01, stats)
    for _ in range(5):
        clock.wait()
    assert stats.late_steps == 0 and 0.035 < stats.elapsed < 0.2
    clock.wait()
    import time

    time.sleep(0.05)                    # a stall of 5 steps
    clock.wait()
    assert stats.late_steps == 1 and stats.max_lag > 0.03 and stats.steps == 7
    elapsed = stats.elapsed
    clock.resync()
    time.sleep(0.3)                     # a deliberate pause (a new window opening)
    clock.wait()
    assert stats.late_steps == 1 and stats.elapsed - elapsed < 0.1


@pytest.mark.parametrize("display", [None, ":987"])
def test_cli_without_display_prints_one_line_with_headless_options(tmp_path, display):
    import ctypes.util

    if display and ctypes.util.find_library("X11") is None:
        pytest.skip("needs libX11 to tell that a display cannot be opened")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    if display:
        env.update(DISPLAY=display, MUJOCO_GL="glfw")
    out = subprocess.run([sys.executable, "-m", "embodied.cli", "teleop", "--record",
                          str(tmp_path / "s.jsonl")], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "--headless --script" in lines[0]
    assert ("DISPLAY is not set" if display is None else "DISPLAY=:987 cannot be opened") in lines[0]
    assert "replay FILE --video" in lines[0] and not (tmp_path / "s.jsonl").exists()


def test_cli_headless_teleop_then_replay(tmp_path):
    script = write_script(tmp_path / "keys.txt", ["0 w", "30 esc"])
    record = tmp_path / "cli.jsonl"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "embodied.cli", *args],
                              capture_output=True, text=True, timeout=120)

    out = run("teleop", "robot_policy=random", "task.config.max_steps=50", "--headless",
              "--script", str(script), "--record", str(record))
    assert out.returncode == 0, out.stderr
    assert "30 steps in 1 episodes" in out.stdout
    out = run("replay", str(record))
    assert out.returncode == 0 and "identical to the recording" in out.stdout, out.stdout + out.stderr
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(record.read_bytes()[:-10])         # inside the closing line
    out = run("replay", str(cut))
    assert out.returncode == 2 and "is incomplete" in out.stderr and "--allow-truncated" in out.stderr
    out = run("replay", str(cut), "--allow-truncated")
    assert out.returncode == 0 and "warning" in out.stderr and "identical" in out.stdout


def test_a_session_whose_policy_rejects_the_env_leaves_no_recording(tmp_path, monkeypatch):
    from embodied.policies.experts.social_nav import SocialNavHeuristic

    def reject(self, env, seed=None):
        raise ConfigError("task.obs_mode", "state", reason="checkpoint trained with 'depth'")

    monkeypatch.setattr(SocialNavHeuristic, "reset", reject)
    with pytest.raises(ConfigError, match="task.obs_mode"):
        run_scripted(make_teleop_config(SHORT), [], tmp_path / "s.jsonl", steps=5)
    assert not (tmp_path / "s.jsonl").exists()
    monkeypatch.undo()
    run_scripted(make_teleop_config(SHORT), [], tmp_path / "s.jsonl", steps=5)
    with pytest.raises(Exception, match="already exists"):
        TeleopSession(make_teleop_config(SHORT), tmp_path / "s.jsonl")


def test_a_person_tidies_with_the_robot_in_social_rearrange_and_the_session_replays(tmp_path):
    # val seed 22: target object 0 (a mug) lies 1.16 m from the humanoid's start
    script = write_script(tmp_path / "k", ["0 space", "120 s", "121 a", "180 esc"])
    record = tmp_path / "rearrange.jsonl"
    config = make_teleop_config(["task=social_rearrange", "seed=22", "task.config.max_steps=300"])
    summary = run_scripted(config, script, record)
    rec = read_recording(record)
    assert rec.header["task"]["config"]["partner"] == "keyboard"
    assert rec.header["robot_policy"]["name"] == "rearrange_inferring"
    decisions = [s["a"] for s in rec.episodes[0].steps if s["a"] is not None]
    assert 2 <= len(decisions) < 60, "the robot decides between its skills, not every step"
    assert summary["episodes"][0]["metrics"]["obj0_held"] == 1.0, "the person picked the mug"
    assert replay(record)["identical"]


def test_the_rearrange_hud_shows_stage_goals_and_objects():
    session = TeleopSession(make_teleop_config(["task=social_rearrange", "seed=22"]))
    session.start()
    session.press("space")
    for _ in range(100):
        session.step()
    rows = dict(zip(*(column.splitlines() for column in session.hud())))
    session.close()
    assert rows["obj0 held"] == "yes" and rows["obj1 placed"] == "-"
    assert "held by human0" in rows["object 0"] and "->" in rows["object 1"]
    assert rows["robot"].split()[0] in ("nav_to_obj_0", "nav_to_obj_1", "nav_to_goal_0",
                                        "nav_to_goal_1", "pick_0", "pick_1", "place_0",
                                        "place_1", "wait", "turn_left", "turn_right",
                                        "move_forward", "move_backward")
