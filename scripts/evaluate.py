#!/usr/bin/env python
"""Evaluate a policy on a task (Hydra app).

    python scripts/evaluate.py task=social_nav policy=heuristic episodes=100 split=val out=results.json
    python scripts/evaluate.py task=social_nav policy=random episodes=20 video=2
    python scripts/evaluate.py task=social_rearrange policy=rearrange_expert partner=plan_pop_3 episodes=100 split=test
    python scripts/evaluate.py task=social_nav policy=heuristic episodes=1000 launcher=ray workers=2 out=r.json
    python scripts/evaluate.py ... launcher=ray ray.address=auto        # (or HOST:PORT) an existing cluster
    python scripts/evaluate.py ... out=r.json resume=true               # continue an interrupted run
    python scripts/evaluate.py task=social_rearrange task.config.action_mode=skills policy=llm \
        humanoid_policy=llm episodes=10 out=r.json          # an LLM robot beside an LLM humanoid
    python scripts/evaluate.py ... policy=llm policy.config.mode=assistant humanoid_policy=llm \
        humanoid_mode=user                                  # a simulated user instructs the robot
    python scripts/evaluate.py task=social_rearrange task.config.action_mode=skills policy=ppo \
        checkpoint=runs/pp3/best.zip zsc=true episodes=100 split=test out=zsc.json   # each Plan-Pop partner
    python scripts/evaluate.py task=social_nav task.config.humanoid_objective=errands policy=heuristic \
        humanoid_policy=ppo humanoid_checkpoint=runs/sn_humanoid/last.zip   # a learned humanoid
    python scripts/evaluate.py ... partner=learned task.config.partner_checkpoint=runs/ls/humanoid_0/last.zip
    python scripts/evaluate.py ... zsc=true zsc_humanoids=[runs/ls/humanoid_0/last.zip]  # + learned partners

Prints a table of metric means with 95% confidence intervals and writes JSON
``{"summary": {metric: mean}, "summary_ci95": {...}, "episodes": [...], "config": {...}}``.
Episode i uses seed ``seed + i``: the same homes and humanoid behaviour for every policy,
and the same results, bit for bit, on Ray actors as in this process. With ``out``, each
episode is appended to ``<out stem>.episodes.jsonl`` as it finishes (an interrupted run
keeps them; ``resume=true`` runs only the rest). ``launcher=ray`` needs ``pip install
'embodied[ray]'``. ``humanoid_policy`` (a policy config name) drives the humanoid through
the task's parallel env instead of its partner (``humanoid_mode``, ``humanoid_persona``:
an LLM humanoid's mode and persona; ``humanoid_base_url``: its own server); its metrics
are prefixed ``humanoid_``; ``humanoid_checkpoint`` loads a learned humanoid
(``humanoid_policy=ppo humanoid_checkpoint=runs/h/last.zip``, a checkpoint naming its
agent, ``human0``). ``zsc_humanoids`` adds learned humanoids (checkpoints of a
``partners=learn_single`` or ``learn_pop`` training run's ``humanoid_K/`` folders, or
paths relative to ``policies/``) to the ZSC partners, each as the task's ``learned``
partner.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("MUJOCO_GL", "egl")

import hydra  # noqa: E402
from hydra.core.config_store import ConfigStore  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from embodied.config import register_configs  # noqa: E402

register_configs()
ConfigStore.instance().store(name="evaluate", node={
    "defaults": ["_self_", {"task": "social_nav"}, {"policy": "heuristic"}],
    "episodes": 100,
    "split": "val",
    "seed": 0,
    "out": None,
    "video": 0,
    "video_dir": "videos",
    "checkpoint": None,
    "partner": None,
    "progress": True,
    "launcher": "local",
    "workers": 2,
    "ray": {"address": None},
    "resume": False,
    "humanoid_policy": None,
    "humanoid_mode": "planner",
    "humanoid_persona": "",
    "humanoid_base_url": None,
    "humanoid_checkpoint": None,
    "zsc": False,
    "zsc_humanoids": [],
})

LAUNCHERS = ("local", "ray")


def run(cfg: DictConfig) -> dict:
    """One evaluation (``zsc=true``: one per partner, see :func:`run_zsc`)."""
    if cfg.zsc:
        return run_zsc(cfg)
    return run_one(cfg, cfg.partner, cfg.out)


def run_one(cfg: DictConfig, partner: str | None, out: str | None,
            partner_checkpoint: str | None = None) -> dict:
    """Evaluate ``cfg.policy`` with the humanoid ``partner`` (None: the task config's; a
    ``learned`` one of ``partner_checkpoint``), writing ``out`` if given."""
    from embodied.config import make_env_factory, to_plain
    from embodied.errors import ConfigError, check_choice
    from embodied.evaluation import EpisodeLog, evaluate
    from embodied.io import write_json
    from embodied.policies import make_policy
    from embodied.scenes.splits import SPLITS

    check_choice("split", cfg.split, SPLITS)
    video = int(cfg.video)
    if video < 0:
        raise ConfigError("video", video, reason="must be >= 0")
    task_cfg = to_plain(cfg.task)
    if partner is not None:
        if "partner" not in (task_cfg.get("config") or {}):
            raise ConfigError("partner", partner, reason=f"task {task_cfg.get('name')} has no "
                              "partner (SocialRearrange has)")
        task_cfg["config"]["partner"] = str(partner)
        if partner_checkpoint is not None:
            task_cfg["config"]["partner_checkpoint"] = str(partner_checkpoint)
    check_choice("launcher", cfg.launcher, LAUNCHERS)
    if cfg.launcher == "ray" and video:
        raise ConfigError("video", video, reason="videos are rendered with launcher=local")
    if cfg.resume and not out:
        raise ConfigError("resume", True, reason="needs out=<file> (its episode log is resumed)")
    make_env = make_env_factory(task_cfg, cfg.split, render_mode="rgb_array" if video else None)
    policy_cfg = to_plain(cfg.policy)
    if policy_cfg.get("name") == "llm" and out and not (policy_cfg.get("config") or {}).get("transcript"):
        # the planner's prompts, replies and results beside the results
        policy_cfg.setdefault("config", {})["transcript"] = str(Path(out).with_suffix(".transcripts.jsonl"))
    policy = make_policy(policy_cfg, checkpoint=cfg.checkpoint)      # checked here, used below
    humanoid_cfg = humanoid_policy = None
    if cfg.humanoid_policy is not None:
        humanoid_cfg, humanoid_policy = humanoid_driver(cfg)
        if cfg.launcher == "ray":
            raise ConfigError("humanoid_policy", cfg.humanoid_policy, reason="runs with launcher=local")
        make_env = make_env_factory(task_cfg, cfg.split, render_mode="rgb_array" if video else None,
                                    parallel=True)
    episodes = int(cfg.episodes)
    log = None
    if out:
        run_key = {"task": task_cfg, "policy": policy_cfg, "checkpoint": cfg.checkpoint,
                   "split": cfg.split, "seed": int(cfg.seed)}
        if humanoid_cfg is not None:
            run_key["humanoid_policy"] = humanoid_cfg
            run_key["humanoid_checkpoint"] = cfg.humanoid_checkpoint
        log = EpisodeLog(Path(out).with_suffix(".episodes.jsonl"), run_key, episodes,
                         resume=bool(cfg.resume))
    if cfg.launcher == "ray":
        from embodied.cluster.evaluation import evaluate_on_ray

        results = evaluate_on_ray(task_cfg, cfg.split, policy_cfg, episodes,
                                  seed=int(cfg.seed), checkpoint=cfg.checkpoint,
                                  workers=int(cfg.workers), address=cfg.ray.address, log=log,
                                  progress=bool(cfg.progress))
    else:
        video_dir = Path(cfg.video_dir)
        name = f"{cfg.task.name}_{cfg.policy.name}_{cfg.split}" + (f"_{partner}" if partner else "")
        results = evaluate(make_env, policy, episodes, seed=int(cfg.seed),
                           progress=bool(cfg.progress), video_episodes=video,
                           video_path=lambda i: str(video_dir / f"{name}_ep{i:03d}.mp4"), log=log,
                           humanoid_policy=humanoid_policy)
    summary = results["summary"]
    output = {"summary": {k: v["mean"] for k, v in summary.items()},
              "summary_ci95": {k: v["ci95"] for k, v in summary.items()},
              "episodes": results["episodes"],
              "config": to_plain(cfg)}
    print(f"\n{cfg.task.name} | policy={cfg.policy.name} | split={cfg.split} | "
          + (f"partner={partner} | " if partner else "") + f"episodes={cfg.episodes}")
    for key, stats in summary.items():
        print(f"  {key:<24} {stats['mean']:8.3f} +- {stats['ci95']:.3f}")
    if out:
        write_json(out, output)
        print(f"wrote {out}")
    return output


def run_zsc(cfg: DictConfig) -> dict:
    """Zero-shot coordination (Habitat 3.0's ZSC): the robot policy with each Plan-Pop
    partner in turn; the partner its checkpoint trained with, if any, is marked ``seen``.
    Writes ``out`` with a table of the partners and, per partner, its episode log."""
    from embodied.config import to_plain
    from embodied.errors import ConfigError
    from embodied.io import write_json
    from embodied.tasks.social_rearrange.partners import PLAN_POP_GOALS

    if cfg.task.name != "social_rearrange":
        raise ConfigError("zsc", True, reason=f"evaluates SocialRearrange's robot with each "
                          f"partner, not task {cfg.task.name}")
    if cfg.partner is not None or cfg.humanoid_policy is not None:
        raise ConfigError("zsc", True, reason="chooses the partners itself (drop partner= "
                          "and humanoid_policy=)")
    from embodied.policies.registry import policy_checkpoint

    seen = population = None
    checkpoint = policy_checkpoint(to_plain(cfg.policy), cfg.checkpoint)
    if checkpoint:
        from embodied.policies.learned.sb3 import read_checkpoint

        meta = read_checkpoint(checkpoint).meta
        run_config = meta.get("run_config") or {}
        seen = ((run_config.get("task") or {}).get("config") or {}).get("partner")
        if run_config.get("partners", "task") != "task":      # beside learned humanoids
            seen, population = run_config["partners"], meta.get("population")
    # (label, partner, its checkpoint, seen)
    columns = [(f"plan_pop_{p}", f"plan_pop_{p}", None, f"plan_pop_{p}" == seen)
               for p in PLAN_POP_GOALS]
    for humanoid in cfg.zsc_humanoids or ():
        label, their_population = learned_humanoid(str(humanoid))
        columns.append((label, "learned", str(humanoid),
                        population is not None and their_population == population))
    table = {}
    for label, partner, partner_checkpoint, is_seen in columns:
        out = str(Path(cfg.out).with_suffix(f".{label.replace('/', '_')}.json")) if cfg.out else None
        result = run_one(cfg, partner, out, partner_checkpoint)
        table[label] = {"seen": is_seen, "summary": result["summary"],
                        "summary_ci95": result["summary_ci95"]}
    print(f"\nZSC | policy={cfg.policy.name} | trained with {seen or 'no partner'} | "
          f"split={cfg.split} | episodes={cfg.episodes} per partner")
    keys = ("success", "relative_efficiency", "task_offloading", "did_collide")
    print("  " + "partner".ljust(24) + "".join(k[:18].rjust(20) for k in keys))
    for partner, row in table.items():
        cells = "".join(f"{row['summary'].get(k, float('nan')):10.3f} +-{row['summary_ci95'].get(k, float('nan')):6.3f}"
                        .rjust(20) for k in keys)
        print("  " + (partner + (" (seen)" if row["seen"] else "")).ljust(24) + cells)
    output = {"zsc": table, "trained_with": seen, "config": to_plain(cfg)}
    if cfg.out:
        write_json(cfg.out, output)
        print(f"wrote {cfg.out}")
    return output


def humanoid_driver(cfg: DictConfig):
    """The config and policy of ``humanoid_policy``: its ``policies/`` entry planning the
    humanoid (``agent=human0``; an LLM's transcript beside the results), a learned one
    loaded from ``humanoid_checkpoint`` if given."""
    from embodied.config import policy_config
    from embodied.policies import make_policy

    entry = policy_config(str(cfg.humanoid_policy))
    if entry.get("name") == "llm":
        config = entry.setdefault("config", {})
        config.update(agent="human0", mode=str(cfg.humanoid_mode), persona=str(cfg.humanoid_persona))
        if cfg.humanoid_base_url:
            # a server of its own: one server's prompt cache is lost when two agents take turns
            config.setdefault("backend", {})["base_url"] = str(cfg.humanoid_base_url)
        if cfg.out:
            config["transcript"] = str(Path(cfg.out).with_suffix(".humanoid.transcripts.jsonl"))
    return entry, make_policy(entry, checkpoint=cfg.humanoid_checkpoint)


def learned_humanoid(checkpoint: str) -> tuple[str, str | None]:
    """A learned ZSC partner's column label (its run folder and pool member, or its
    ``policies/`` file) and the population it trained in."""
    from embodied.policies.learned.sb3 import read_checkpoint
    from embodied.policies.registry import policy_checkpoint

    path = Path(policy_checkpoint({"checkpoint": checkpoint}))
    label = f"{path.parent.parent.name}/{path.parent.name}" if path.name in ("last.zip", "best.zip") \
        else path.stem
    return label, read_checkpoint(path).meta.get("population")


@hydra.main(version_base=None, config_path=None, config_name="evaluate")
def main(cfg: DictConfig) -> None:
    from embodied.errors import EmbodiedError

    try:
        run(cfg)
    except EmbodiedError as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
