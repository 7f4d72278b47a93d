"""embodied: humanoids and robots sharing procedural homes in MuJoCo, as Gymnasium tasks.

>>> import gymnasium as gym, embodied
>>> env = gym.make("embodied/SocialNav-v0", split="val")
"""

from embodied.sim.gl import default_backend as _default_backend

# MuJoCo picks its OpenGL backend when first imported: default to EGL on headless machines.
_default_backend()

__version__ = "0.1.0"

from embodied import tasks as _tasks  # noqa: E402,F401  (registers every task's gym id)
