"""Tasks: one folder per task on the shared :class:`~embodied.tasks.base.Task` base.

- :mod:`.base`: the Task base and the episode loop; :mod:`.actions`: action terms;
  :mod:`.episodes`: the scene cache and episode initializers; :mod:`.registry`: the table
  of registered tasks (gym ids, configs, task and env classes);
- :mod:`.social_nav`: find and follow a humanoid (``embodied/SocialNav-v0``);
- :mod:`.social_rearrange`: tidy a home with a humanoid partner
  (``embodied/SocialRearrange-v1``);
- :mod:`.counterfactual_nav`: reach a goal among people, perturbing their walk as little as
  possible (``embodied/CounterfactualNav-v0``).

Importing this package registers every task.
"""

from embodied.tasks import counterfactual_nav  # noqa: F401  (registers counterfactual_nav)
from embodied.tasks import social_nav  # noqa: F401  (registers social_nav)
from embodied.tasks import social_rearrange  # noqa: F401  (registers social_rearrange)
from embodied.tasks.registry import TASKS, get_task

__all__ = ["TASKS", "get_task"]
