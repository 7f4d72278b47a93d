"""Human in the loop: a person drives a humanoid next to a robot policy in a MuJoCo
viewer window (or a key script drives it headlessly); sessions are recorded to crash-safe
JSON lines and replayed exactly.

    embodied teleop task=social_nav robot_policy=heuristic
    embodied teleop task=social_rearrange          # the person is the robot's partner
    embodied teleop --headless --script keys.txt --record session.jsonl
    embodied replay session.jsonl [--video session.mp4]
"""

from embodied.hitl.config import TeleopConfig, make_teleop_config
from embodied.hitl.controls import KEY_HELP, ScriptedKey, WalkControl, read_key_script
from embodied.hitl.recording import Recording, RecordingError, RecordingWriter, read_recording
from embodied.hitl.replay import replay
from embodied.hitl.session import TeleopSession, format_summary, run_scripted

__all__ = ["KEY_HELP", "ScriptedKey", "WalkControl", "read_key_script", "Recording",
           "RecordingError", "RecordingWriter", "read_recording", "replay", "TeleopConfig",
           "TeleopSession", "format_summary", "make_teleop_config", "run_scripted"]
