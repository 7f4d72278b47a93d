"""Skills shared by experts, humanoid partners, learned high-level policies, LLM planners
and people: small state machines that command one agent per control step and report
running / done / failed with a reason. No skill names a task.

- :mod:`.base`: Status, Skill, Wait, Sequence;
- :mod:`.humanoid`: WalkTo, Face, Reach, Pick, Place, PutDown, Wander, Teleop;
- :mod:`.robot`: NavigateTo (and the robot's manipulation skills);
- :mod:`.library`: the vocabulary with typed arguments and descriptions for planners.
"""

from embodied.skills.base import Sequence, Skill, Status, Wait
from embodied.skills.library import SkillLibrary, default_library

__all__ = ["Sequence", "Skill", "SkillLibrary", "Status", "Wait", "default_library"]
