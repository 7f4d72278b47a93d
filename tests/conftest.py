import os
import sys

# Headless rendering by default (Mesa llvmpipe through EGL); a test that needs a window
# sets its own DISPLAY and MUJOCO_GL.
os.environ.setdefault("MUJOCO_GL", "egl")

# The golden trajectories hold on every x86-64 machine only with NumPy's, OpenBLAS's and
# llvmpipe's run-time kernel choice pinned, set before anything imports NumPy.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from arithmetic import arithmetic_environment  # noqa: E402

for _key, _value in arithmetic_environment().items():
    os.environ.setdefault(_key, _value)
