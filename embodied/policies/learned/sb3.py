"""Learned policies with Stable-Baselines3: configs, feature extractor, checkpoints and
the :class:`~embodied.policies.base.Policy` wrapper used by the shared evaluation code.

A checkpoint is one zip file holding

- ``meta.json``: format version, algorithm, task name, gym id, observation mode,
  observation/action space descriptions, training steps and the resolved run config;
- ``model.zip``: the SB3 model (``model.save``);
- ``normalization.npz``: observation (and return) running statistics of VecNormalize.

Normalisation statistics are stored as arrays rather than a pickled VecNormalize, so
loading never runs pickled code of ours and the same numbers normalise observations in
training, resumed training and evaluation. Every failure to read a checkpoint raises
:class:`~embodied.errors.AssetError`; a checkpoint made for another task or observation
space is refused with :class:`~embodied.errors.ConfigError` naming the mismatch.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import gymnasium as gym
import numpy as np

from embodied.errors import AssetError, ConfigError, check_choice, check_range
from embodied.io import json_default, atomic_path
from embodied.policies.base import Policy
from embodied.policies.registry import register_policy

CHECKPOINT_FORMAT = 1
ACTIVATIONS = ("tanh", "relu", "elu")


@dataclass(frozen=True)
class PPOConfig:
    """PPO hyperparameters, network and normalisation (``policy.config.*`` overrides).

    ``n_steps`` is per environment: a rollout holds ``n_steps * n_envs`` transitions.
    ``net_arch`` is the hidden layer sizes of the separate policy and value MLPs on top of
    the features (vector observations concatenated; images through a small CNN giving
    ``cnn_features`` numbers each). ``normalize_obs``/``normalize_reward`` wrap the
    training envs in VecNormalize (images are never normalised), ``clip_obs`` bounds the
    normalised observations.
    """

    learning_rate: float = 3e-4
    n_steps: int = 256
    batch_size: int = 256
    n_epochs: int = 5
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.0
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    target_kl: float | None = None
    net_arch: tuple[int, ...] = (128, 128)
    activation: str = "tanh"
    log_std_init: float = 0.0
    cnn_features: int = 128
    normalize_obs: bool = True
    normalize_reward: bool = True
    clip_obs: float = 10.0
    deterministic: bool = True

    def __post_init__(self):
        p = "policy.config"
        check_range(f"{p}.learning_rate", self.learning_rate, 0.0, 1.0)
        check_range(f"{p}.n_steps", self.n_steps, 2, 10**6, integer=True)
        check_range(f"{p}.batch_size", self.batch_size, 2, 10**7, integer=True)
        check_range(f"{p}.n_epochs", self.n_epochs, 1, 1000, integer=True)
        check_range(f"{p}.gamma", self.gamma, 0.0, 1.0)
        check_range(f"{p}.gae_lambda", self.gae_lambda, 0.0, 1.0)
        check_range(f"{p}.clip_range", self.clip_range, 0.0, 10.0)
        check_range(f"{p}.ent_coef", self.ent_coef, 0.0, 10.0)
        check_range(f"{p}.vf_coef", self.vf_coef, 0.0, 100.0)
        check_range(f"{p}.max_grad_norm", self.max_grad_norm, 0.0, 1e6)
        if self.target_kl is not None:
            check_range(f"{p}.target_kl", self.target_kl, 0.0, 10.0)
        if not self.net_arch or not all(isinstance(n, int) and n > 0 for n in self.net_arch):
            raise ConfigError(f"{p}.net_arch", self.net_arch,
                              reason="must be a non-empty list of positive layer sizes")
        check_choice(f"{p}.activation", self.activation, ACTIVATIONS)
        check_range(f"{p}.log_std_init", self.log_std_init, -10.0, 10.0)
        check_range(f"{p}.cnn_features", self.cnn_features, 1, 4096, integer=True)
        check_range(f"{p}.clip_obs", self.clip_obs, 0.0, 1e6)


#: SB3 algorithms that checkpoints can hold, with their config classes (each is also a
#: registered, trainable policy kind).
ALGORITHMS: dict[str, type] = {"ppo": PPOConfig}


# -- feature extractor ------------------------------------------------------------------
def image_keys(space: gym.spaces.Dict) -> list[str]:
    """Keys of image observations: 3-d Box spaces (depth float HxWx1, rgb uint8 HxWx3)."""
    return [k for k, s in space.spaces.items() if isinstance(s, gym.spaces.Box)
            and len(s.shape) == 3]


def vector_keys(space: gym.spaces.Dict) -> list[str]:
    """Keys of flat observations (normalised by VecNormalize)."""
    images = set(image_keys(space))
    return [k for k in space.spaces if k not in images]


def policy_kwargs(config: PPOConfig) -> dict:
    """SB3 ``policy_kwargs`` for MultiInputPolicy from the config."""
    from torch import nn

    from embodied.policies.learned.extractors import DictExtractor

    activation = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU}[config.activation]
    arch = list(config.net_arch)
    return {"net_arch": {"pi": arch, "vf": arch}, "activation_fn": activation,
            "log_std_init": config.log_std_init,
            "features_extractor_class": DictExtractor,
            "features_extractor_kwargs": {"cnn_features": config.cnn_features}}


# -- spaces in checkpoint metadata ------------------------------------------------------
def describe_space(space: gym.Space) -> dict:
    """A JSON description of a (Dict or Box) space: enough to tell two spaces apart."""
    if isinstance(space, gym.spaces.Dict):
        return {"type": "Dict", "spaces": {k: describe_space(s) for k, s in space.spaces.items()}}
    if isinstance(space, gym.spaces.Box):
        return {"type": "Box", "shape": list(space.shape), "dtype": str(space.dtype),
                "low": float(np.min(space.low)), "high": float(np.max(space.high))}
    return {"type": type(space).__name__, "repr": repr(space)}


def space_mismatch(expected: dict, actual: dict, path: str = "") -> str | None:
    """The first difference between two space descriptions, in words (None if equal)."""
    if expected.get("type") != actual.get("type"):
        return (f"{path or 'space'} is {actual.get('type')}, checkpoint expects "
                f"{expected.get('type')}")
    if expected["type"] == "Dict":
        e, a = expected["spaces"], actual["spaces"]
        if set(e) != set(a):
            missing, extra = sorted(set(e) - set(a)), sorted(set(a) - set(e))
            return (f"observation keys differ (missing: {missing or 'none'}, "
                    f"unexpected: {extra or 'none'})")
        for key in e:
            diff = space_mismatch(e[key], a[key], key)
            if diff:
                return diff
        return None
    for attr in ("shape", "dtype", "low", "high", "repr"):
        if expected.get(attr) != actual.get(attr):
            return (f"{path or 'space'} {attr} is {actual.get(attr)}, checkpoint expects "
                    f"{expected.get(attr)}")
    return None


# -- normalisation ------------------------------------------------------------------------
@dataclass
class Normalization:
    """VecNormalize statistics as plain arrays (observation keys, returns, clipping)."""

    obs_mean: dict[str, np.ndarray] = field(default_factory=dict)
    obs_var: dict[str, np.ndarray] = field(default_factory=dict)
    obs_count: dict[str, float] = field(default_factory=dict)
    ret_mean: float = 0.0
    ret_var: float = 1.0
    ret_count: float = 0.0
    clip_obs: float = 10.0
    epsilon: float = 1e-8

    @classmethod
    def from_vecnormalize(cls, venv) -> "Normalization | None":
        """A copy of the statistics of a VecNormalize (None for other vector envs)."""
        from stable_baselines3.common.vec_env import VecNormalize

        if not isinstance(venv, VecNormalize):
            return None
        norm = cls(clip_obs=float(venv.clip_obs), epsilon=float(venv.epsilon))
        if venv.norm_obs:
            for key in venv.norm_obs_keys:
                rms = venv.obs_rms[key]
                norm.obs_mean[key] = np.array(rms.mean, dtype=np.float64)
                norm.obs_var[key] = np.array(rms.var, dtype=np.float64)
                norm.obs_count[key] = float(rms.count)
        norm.ret_mean, norm.ret_var = float(venv.ret_rms.mean), float(venv.ret_rms.var)
        norm.ret_count = float(venv.ret_rms.count)
        return norm

    def apply_to(self, venv) -> None:
        """Load these statistics into a VecNormalize (resuming training)."""
        for key, mean in self.obs_mean.items():
            if key in venv.obs_rms:
                venv.obs_rms[key].mean = mean.copy()
                venv.obs_rms[key].var = self.obs_var[key].copy()
                venv.obs_rms[key].count = self.obs_count[key]
        venv.ret_rms.mean, venv.ret_rms.var = self.ret_mean, self.ret_var
        venv.ret_rms.count = self.ret_count

    def normalize(self, observation: Mapping[str, np.ndarray]) -> dict:
        """VecNormalize's observation formula, for one (unbatched) observation."""
        out = dict(observation)
        for key, mean in self.obs_mean.items():
            x = (np.asarray(observation[key]) - mean) / np.sqrt(self.obs_var[key] + self.epsilon)
            out[key] = np.clip(x, -self.clip_obs, self.clip_obs)
        return out

    def to_bytes(self) -> bytes:
        arrays = {"ret": np.array([self.ret_mean, self.ret_var, self.ret_count]),
                  "clip": np.array([self.clip_obs, self.epsilon])}
        for key in self.obs_mean:
            arrays[f"mean/{key}"] = self.obs_mean[key]
            arrays[f"var/{key}"] = self.obs_var[key]
            arrays[f"count/{key}"] = np.array(self.obs_count[key])
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Normalization":
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            ret, clip = z["ret"], z["clip"]
            norm = cls(ret_mean=float(ret[0]), ret_var=float(ret[1]), ret_count=float(ret[2]),
                       clip_obs=float(clip[0]), epsilon=float(clip[1]))
            for name in z.files:
                if name.startswith("mean/"):
                    key = name[5:]
                    norm.obs_mean[key] = z[name]
                    norm.obs_var[key] = z[f"var/{key}"]
                    norm.obs_count[key] = float(z[f"count/{key}"])
        return norm


# -- checkpoints --------------------------------------------------------------------------
@dataclass
class Checkpoint:
    """The parts of a checkpoint file (see the module docstring)."""

    path: Path
    meta: dict
    model_bytes: bytes
    normalization: Normalization | None

    @property
    def algorithm(self) -> str:
        return self.meta["algorithm"]

    def check_compatible(self, task_name: str | None = None, obs_mode: str | None = None,
                         observation_space: gym.Space | None = None,
                         action_space: gym.Space | None = None) -> None:
        """Raise ConfigError naming the first mismatch with the given task/spaces."""
        meta, where = self.meta, f"checkpoint {self.path}"
        if task_name is not None and meta.get("task") != task_name:
            raise ConfigError("task", task_name, reason=f"{where} was trained for task "
                              f"{meta.get('task')!r}")
        if obs_mode is not None and meta.get("obs_mode") != obs_mode:
            raise ConfigError("task.obs_mode", obs_mode, reason=f"{where} was trained with "
                              f"obs_mode {meta.get('obs_mode')!r}")
        for label, space, key in (("observation space", observation_space, "observation_space"),
                                  ("action space", action_space, "action_space")):
            if space is not None:
                diff = space_mismatch(meta[key], describe_space(space))
                if diff:
                    raise ConfigError(label, diff, reason=f"{where} does not fit this environment")

    def load_model(self, env=None, device: str = "cpu", **kwargs):
        """The SB3 model (attached to ``env`` if given, e.g. to resume training)."""
        from stable_baselines3 import PPO

        algo = {"ppo": PPO}[self.algorithm]
        custom = {"policy_kwargs": policy_kwargs(self.config())}
        try:
            return algo.load(io.BytesIO(self.model_bytes), env=env, device=device,
                             custom_objects=custom, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure here is a broken file
            raise AssetError(f"checkpoint {self.path}: cannot load the {self.algorithm} model "
                             f"({type(exc).__name__}: {exc})") from None

    def config(self) -> PPOConfig:
        """The algorithm config the model was trained with."""
        from embodied.config import build_dataclass

        cls = ALGORITHMS[self.algorithm]
        return build_dataclass(cls, self.meta.get("policy_config") or {}, "policy.config")


def save_checkpoint(path: str | Path, model, venv, meta: dict) -> Path:
    """Write ``model`` (+ VecNormalize stats of ``venv``) and ``meta`` atomically."""
    path = Path(path)
    buf = io.BytesIO()
    model.save(buf)
    norm = Normalization.from_vecnormalize(venv)
    meta = dict(meta, format=CHECKPOINT_FORMAT, num_timesteps=int(model.num_timesteps),
                normalized=norm is not None)
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("meta.json", json.dumps(meta, indent=2, default=json_default))
            z.writestr("model.zip", buf.getvalue())
            if norm is not None:
                z.writestr("normalization.npz", norm.to_bytes())
    return path


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint file; AssetError if it is missing, corrupt or not a checkpoint."""
    if path is None or str(path) in ("", "None"):
        raise ConfigError("checkpoint", path, reason="a learned policy needs checkpoint=PATH "
                          "(a .zip written by scripts/train.py)")
    path = Path(path)
    if not path.is_file():
        raise AssetError(f"checkpoint not found: {path}")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if not {"meta.json", "model.zip"} <= names:
                raise AssetError(f"checkpoint {path} is not an embodied checkpoint "
                                 f"(contains {sorted(names)}; expected meta.json and model.zip)")
            meta = json.loads(z.read("meta.json"))
            model_bytes = z.read("model.zip")
            norm = (Normalization.from_bytes(z.read("normalization.npz"))
                    if "normalization.npz" in names else None)
    except AssetError:
        raise
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, KeyError, ValueError,
            OSError, EOFError) as exc:
        raise AssetError(f"checkpoint {path} is corrupt or unreadable "
                         f"({type(exc).__name__}: {exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise AssetError(f"checkpoint {path} has format {found!r}; this version reads "
                         f"format {CHECKPOINT_FORMAT}")
    if meta.get("algorithm") not in ALGORITHMS:
        raise AssetError(f"checkpoint {path} holds algorithm {meta.get('algorithm')!r}; "
                         f"known: {sorted(ALGORITHMS)}")
    for key in ("task", "obs_mode", "observation_space", "action_space"):
        if key not in meta:
            raise AssetError(f"checkpoint {path} metadata lacks {key!r}")
    return Checkpoint(path, meta, model_bytes, norm)


# -- the Policy ---------------------------------------------------------------------------
class SB3Policy(Policy):
    """An SB3 model (+ its normalisation statistics) behind the shared Policy interface.

    Actions are deterministic (the Gaussian's mean) unless ``deterministic=False``. On
    ``reset`` the environment is checked against the checkpoint's task and spaces.

    In a parallel env (:func:`embodied.envs.parallel_env`) the policy acts for ``agent``:
    the agent its checkpoint trained as (``meta["agent"]``, e.g. ``human0`` for a learned
    humanoid partner), else the robot. It reads its agent's observation without the
    parallel API's own entries (:data:`~embodied.envs.agent_env.PARALLEL_ONLY`).
    """

    def __init__(self, model, normalization: Normalization | None = None,
                 checkpoint: Checkpoint | None = None, deterministic: bool = True,
                 name: str = "ppo", agent: str | None = None):
        self.model = model
        self.normalization = normalization
        self.checkpoint = checkpoint
        self.deterministic = deterministic
        self.name = name
        self.agent = agent if agent is not None else (
            checkpoint.meta.get("agent") if checkpoint is not None else None)
        self._checked_env: int | None = None

    @classmethod
    def from_checkpoint(cls, path: str | Path, deterministic: bool | None = None
                        ) -> "SB3Policy":
        ckpt = read_checkpoint(path)
        model = ckpt.load_model()
        if deterministic is None:
            deterministic = ckpt.config().deterministic
        return cls(model, ckpt.normalization, ckpt, deterministic, name=ckpt.algorithm)

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        if self.checkpoint is not None and self._checked_env != id(env):
            obs_mode = getattr(getattr(env.unwrapped, "task", None), "obs_mode", None)
            if hasattr(env, "possible_agents"):
                from embodied.envs.agent_env import agent_observation_space

                agent = self.agent or env.possible_agents[0]
                spaces = agent_observation_space(env, agent), env.action_space(agent)
            elif self.agent not in (None, "robot"):
                from embodied.errors import ConfigError

                raise ConfigError("env", type(env.unwrapped).__name__, reason=(
                    f"this policy acts for {self.agent!r} of a parallel env (a learned humanoid): "
                    f"drive it with humanoid_policy= or through embodied.envs.parallel_env"))
            else:
                spaces = env.observation_space, env.action_space
            self.checkpoint.check_compatible(task_name_of(env), obs_mode, *spaces)
            self._checked_env = id(env)

    def act(self, observation, env: gym.Env | None = None):
        if isinstance(observation, dict) and env is not None and hasattr(env, "possible_agents"):
            from embodied.envs.agent_env import agent_observation

            observation = agent_observation(observation)
        if self.normalization is not None:
            observation = self.normalization.normalize(observation)
        action, _ = self.model.predict(observation, deterministic=self.deterministic)
        return np.asarray(action, dtype=np.float32)


def task_name_of(env: gym.Env) -> str | None:
    """The task name (``social_nav``) registered for the env's gym id (None if unknown)."""
    from embodied.tasks.registry import task_of_env_id

    spec = getattr(env, "spec", None) or getattr(env.unwrapped, "spec", None)
    if spec is None:        # a parallel env, or an env made from its class
        return getattr(getattr(env.unwrapped, "task", None), "name", None) or None
    entry = task_of_env_id(spec.id)
    return entry.name if entry is not None else spec.id


def make_learned_policy(name: str, policy_cfg: Mapping[str, Any], checkpoint) -> SB3Policy:
    """``make_policy`` entry of learned policies: the checkpoint's algorithm must be ``name``."""
    policy = SB3Policy.from_checkpoint(checkpoint, deterministic=bool(
        (policy_cfg.get("config") or {}).get("deterministic", True)))
    if policy.checkpoint.algorithm != name:
        raise ConfigError("policy", name, reason=f"checkpoint {checkpoint} holds a "
                          f"{policy.checkpoint.algorithm!r} model")
    return policy


for _name, _config_class in ALGORITHMS.items():
    register_policy(_name, lambda cfg, checkpoint, _name=_name: make_learned_policy(_name, cfg, checkpoint),
                    config_class=_config_class, trainable=True)
