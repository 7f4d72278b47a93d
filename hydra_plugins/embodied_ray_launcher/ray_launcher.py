"""A Hydra launcher that runs the jobs of a ``--multirun`` sweep as Ray tasks.

    python scripts/train.py --multirun hydra/launcher=embodied_ray seed=0,1,2 out_dir=runs/sweep
    python scripts/train.py --multirun hydra/launcher=embodied_ray hydra.launcher.address=HEAD_IP:6379 \\
        hydra.launcher.cpus_per_job=2 policy.config.learning_rate=3e-5,1e-4 out_dir=runs/sweep

Each job is Hydra's own ``run_job`` (its config, output folder and logs exactly as the
default launcher makes them) inside a Ray task reserving ``cpus_per_job`` CPUs, on the
cluster at ``address`` or a Ray started here with ``cpus`` CPUs; jobs run as the
cluster has room. ``python scripts/sweep_table.py runs/sweep`` collects their results in
one table. Hydra finds the launcher (and registers its config) by scanning the
``hydra_plugins`` namespace package, which is why it lives here and not in ``embodied``.
"""


import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence

from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn, configure_log, filter_overrides, run_job, setup_globals
from hydra.plugins.launcher import Launcher

log = logging.getLogger(__name__)


@dataclass
class RayLauncherConf:
    """``hydra/launcher=embodied_ray``: where the jobs run and what each reserves."""

    _target_: str = "hydra_plugins.embodied_ray_launcher.ray_launcher.RayLauncher"
    address: Optional[str] = None     # auto, HOST:PORT, or None: a Ray started here
    cpus: int = 2                     # CPUs of the Ray started here
    cpus_per_job: int = 1


ConfigStore.instance().store(group="hydra/launcher", name="embodied_ray", node=RayLauncherConf,
                             provider="embodied")


def _run_job_on_ray(hydra_context, config, task_function, singleton_state) -> JobReturn:
    """One sweep job in a Ray worker, as Hydra's basic launcher runs it."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.singleton import Singleton

    setup_globals()
    Singleton.set_state(singleton_state)
    HydraConfig.instance().set_config(config)
    return run_job(hydra_context=hydra_context, task_function=task_function, config=config,
                   job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")


class RayLauncher(Launcher):
    """Runs sweep jobs as Ray tasks (see the module docs)."""

    def __init__(self, address: Optional[str] = None, cpus: int = 2, cpus_per_job: int = 1) -> None:
        from embodied.errors import check_range

        super().__init__()
        self.address = address
        self.cpus = check_range("hydra.launcher.cpus", cpus, 1, 100_000, integer=True)
        self.cpus_per_job = check_range("hydra.launcher.cpus_per_job", cpus_per_job, 1, 10_000,
                                        integer=True)
        self.config = self.task_function = self.hydra_context = None

    def setup(self, *, hydra_context, task_function, config) -> None:
        self.config, self.hydra_context, self.task_function = config, hydra_context, task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        from hydra.core.singleton import Singleton
        from omegaconf import open_dict

        from embodied.cluster import connect, require_ray

        ray = require_ray()
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        started = connect(self.address, self.cpus)
        try:
            remote = ray.remote(num_cpus=self.cpus_per_job, max_retries=0)(_run_job_on_ray)
            futures: List[Any] = []
            log.info(f"Launching {len(job_overrides)} jobs on Ray")
            for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
                log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
                config = self.hydra_context.config_loader.load_sweep_config(self.config, list(overrides))
                with open_dict(config):
                    config.hydra.job.id = idx
                    config.hydra.job.num = idx
                futures.append(remote.remote(self.hydra_context, config, self.task_function,
                                             Singleton.get_state()))
            return ray.get(futures)
        finally:
            if started:
                ray.shutdown()


__all__ = ["RayLauncher", "RayLauncherConf"]
