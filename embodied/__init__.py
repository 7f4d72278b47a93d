"""embodied: humanoids and robots sharing procedural homes in MuJoCo, as Gymnasium tasks."""

from embodied.sim.gl import default_backend as _default_backend

# MuJoCo picks its OpenGL backend when first imported: default to EGL on headless machines.
_default_backend()

__version__ = "0.1.0"
