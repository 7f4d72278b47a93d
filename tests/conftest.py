import os

# Headless rendering by default (Mesa llvmpipe through EGL); a test that needs a window
# sets its own DISPLAY and MUJOCO_GL.
os.environ.setdefault("MUJOCO_GL", "egl")
