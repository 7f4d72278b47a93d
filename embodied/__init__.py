"""embodied: humanoids and robots sharing procedural homes in MuJoCo, as Gymnasium tasks.

>>> import gymnasium as gym, embodied
>>> env = gym.make("embodied/SocialNav-v0", split="val")
"""

from embodied.sim.gl import default_backend as _default_backend

# MuJoCo picks its OpenGL backend when first imported: default to EGL on headless machines.
_default_backend()

__version__ = "0.1.0"


def _register_envs() -> None:
    import gymnasium as gym

    if "embodied/SocialNav-v0" not in gym.registry:
        gym.register(id="embodied/SocialNav-v0",
                     entry_point="embodied.envs.social_nav:SocialNavEnv",
                     max_episode_steps=None, disable_env_checker=False)


_register_envs()
