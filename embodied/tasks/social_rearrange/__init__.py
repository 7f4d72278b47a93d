"""SocialRearrange: a robot and a humanoid tidy a home together.

- :mod:`.config`: :class:`SocialRearrangeConfig` (Habitat 3.0's defaults);
- :mod:`.terms`: stage goals, reward terms and metrics;
- :mod:`.partners`: the humanoid's partner policies (Plan-Pop p, greedy, waiting);
- :mod:`.task`: :class:`SocialRearrangeTask`, the task on the shared Task base.
"""

from embodied.tasks.social_rearrange.config import SocialRearrangeConfig
from embodied.tasks.social_rearrange.partners import PARTNERS, make_partner
from embodied.tasks.social_rearrange.task import (SKILLS, SocialRearrangeTask,
                                                  SocialRearrangeView)

__all__ = ["PARTNERS", "SKILLS", "SocialRearrangeConfig", "SocialRearrangeTask",
           "SocialRearrangeView", "make_partner"]
