"""Skills shared by experts, humanoid partners, learned high-level policies, LLM planners
and people: small state machines that command one agent per control step and report
running / done / failed with a reason. No skill names a task.

- :mod:`.base`: Status, Skill, Wait, Sequence;
- :mod:`.humanoid`: WalkTo, Face, Reach, Pick, Place, PutDown, Wander, Teleop;
- :mod:`.robot`: NavigateTo, Face, MoveArm, Pick, Place (with :mod:`.arm_planning`: IK and
  collision-checked arm paths on a scratch copy of the World);
- :mod:`.placement`: where to stand to act on a point, the nearest point of a surface;
- :mod:`.library`: the vocabulary with typed arguments and descriptions for planners.
"""

from embodied.skills.base import Sequence, Skill, Status, Wait
from embodied.skills.library import SkillLibrary, default_library

__all__ = ["Sequence", "Skill", "SkillLibrary", "Status", "Wait", "default_library"]
