"""Callbacks of a training run: progress bar, task metrics and reward terms in the logs,
periodic evaluation and checkpoints, and the critic warm-up."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from embodied.training.run import TrainingRun


def callback_classes():
    """The SB3 callbacks of a run: ProgressBar, TaskMetrics, Periodic, CriticWarmup
    (defined on first use, so importing this module does not import SB3)."""
    from stable_baselines3.common.callbacks import BaseCallback

    class ProgressBar(BaseCallback):
        """A tqdm bar over environment steps, with recent episode reward and metrics."""

        def __init__(self, total_steps: int):
            super().__init__()
            self.total_steps = total_steps
            self.bar = None

        def _on_training_start(self) -> None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total_steps, initial=self.num_timesteps, unit="step",
                            desc="train", dynamic_ncols=True, smoothing=0.05)

        def _on_step(self) -> bool:
            self.bar.update(self.num_timesteps - self.bar.n)
            return True

        def _on_rollout_end(self) -> None:
            buf = self.model.ep_info_buffer
            if buf:
                self.bar.set_postfix(ep_rew=f"{np.mean([e['r'] for e in buf]):.1f}")

        def _on_training_end(self) -> None:
            if self.bar is not None:
                self.bar.close()

    class TaskMetrics(BaseCallback):
        """Logs the mean of each ``info["metrics"]`` value over episodes ending between
        two logger dumps, as ``task/<metric>``, and of each reward term's episode sum as
        ``reward/<term>``; counts episodes as ``task/episodes``."""

        def __init__(self):
            super().__init__()
            self.episodes = 0

        def _on_step(self) -> bool:
            for info in self.locals.get("infos", ()):
                metrics = info.get("metrics")
                if metrics is None:
                    continue
                self.episodes += 1
                for key, value in metrics.items():
                    if value is not None and math.isfinite(value):
                        self.logger.record_mean(f"task/{key}", float(value))
                for key, value in info.get("reward_term_sums", {}).items():
                    self.logger.record_mean(f"reward/{key}", float(value))
            self.logger.record("task/episodes", self.episodes)
            return True

    class Periodic(BaseCallback):
        """Evaluates and writes checkpoints every ``eval_every``/``checkpoint_every`` steps.

        Runs between a policy update and the next rollout (and once at the end), so a
        checkpoint of step N holds exactly the model that the evaluation of step N used."""

        def __init__(self, run: "TrainingRun"):
            super().__init__()
            self.run = run
            self.next_eval = next_multiple(run.train.eval_every, run.start_steps)
            self.next_ckpt = next_multiple(run.train.checkpoint_every, run.start_steps)

        def _on_step(self) -> bool:
            return True

        def _on_rollout_start(self) -> None:
            self._due()

        def _on_training_end(self) -> None:
            self._due()

        def _due(self) -> None:
            n = self.num_timesteps
            if self.next_ckpt and n >= self.next_ckpt:
                self.run.save(f"checkpoints/step_{n:09d}.zip")
                self.run.save("last.zip")
                self.next_ckpt = next_multiple(self.run.train.checkpoint_every, n)
            if self.next_eval and n >= self.next_eval:
                self.run.evaluate(self.logger)
                self.logger.dump(n)
                self.next_eval = next_multiple(self.run.train.eval_every, n)

    class CriticWarmup(BaseCallback):
        """Freezes the actor's parameters until ``until`` steps (value learning only)."""

        def __init__(self, until: int):
            super().__init__()
            self.until = until
            self.frozen = False

        def _actor_parameters(self):
            policy = self.model.policy
            yield from policy.action_net.parameters()
            yield from policy.mlp_extractor.policy_net.parameters()
            if hasattr(policy, "log_std"):
                yield policy.log_std

        def _set_frozen(self, frozen: bool) -> None:
            for param in self._actor_parameters():
                param.requires_grad_(not frozen)
            self.frozen = frozen
            self.logger.record("train/actor_frozen", float(frozen))

        def _on_training_start(self) -> None:
            if self.num_timesteps < self.until:
                self._set_frozen(True)

        def _on_rollout_start(self) -> None:
            if self.frozen and self.num_timesteps >= self.until:
                self._set_frozen(False)

        def _on_training_end(self) -> None:
            if self.frozen:
                self._set_frozen(False)

        def _on_step(self) -> bool:
            return True

    return ProgressBar, TaskMetrics, Periodic, CriticWarmup


def next_multiple(every: int, steps: int) -> int:
    """The first multiple of ``every`` after ``steps`` (0 when ``every`` is 0: never)."""
    return 0 if not every else (steps // every + 1) * every
