"""Training pipeline: a tiny PPO run that trains, evaluates, saves, resumes and is
interrupted; checkpoints refused for another task/space or when corrupt."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from hydra import compose, initialize  # noqa: E402

from embodied.config import make_env_factory  # noqa: E402
from embodied.policies import make_policy  # noqa: E402
from embodied.errors import AssetError, ConfigError  # noqa: E402
from embodied.evaluation import evaluate  # noqa: E402
from embodied.policies.learned.sb3 import SB3Policy, read_checkpoint  # noqa: E402
from embodied.training import TrainingRun, register_train_config, train  # noqa: E402
from embodied.training.run import DEMO_SEED_BASE  # noqa: E402

TINY = ["task.config.max_steps=48", "train_max_steps=48", "n_envs=1", "vec_env=dummy",
        "policy.config.n_steps=64", "policy.config.batch_size=32", "policy.config.n_epochs=1",
        "policy.config.net_arch=[16,16]", "eval_episodes=1", "progress=false", "seed=3"]


def tiny_cfg(out_dir, *overrides):
    register_train_config()
    with initialize(version_base=None, config_path=None):
        return compose("train", overrides=[*TINY, f"out_dir={out_dir}", *overrides])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    cfg = tiny_cfg(out, "total_steps=128", "eval_every=128", "checkpoint_every=64")
    return cfg, out, train(cfg, out)


def test_training_writes_checkpoints_logs_and_evaluations(trained):
    cfg, out, summary = trained
    assert summary["steps"] == 128 and not summary["interrupted"]
    for name in ("last.zip", "best.zip", "checkpoints/step_000000064.zip",
                 "checkpoints/step_000000128.zip", "config.yaml", "eval.json"):
        assert (out / name).is_file(), name
    assert list((out / "tb").glob("**/events.out.tfevents.*")), "no TensorBoard events"
    header = (out / "tb" / "progress.csv").read_text().splitlines()[0].split(",")
    assert "task/found_steps" in header and "task/following_rate" in header
    assert {"reward/distance", "reward/facing", "reward/slack"} <= set(header)
    assert "eval/finding_success" in header and "rollout/ep_rew_mean" in header
    ckpt = read_checkpoint(out / "last.zip")
    assert ckpt.meta["num_timesteps"] == 128
    assert ckpt.meta["task"] == "social_nav" and ckpt.meta["obs_mode"] == "state"
    assert ckpt.meta["env_id"] == "embodied/SocialNav-v1"
    assert ckpt.meta["run_config"]["policy"]["config"]["net_arch"] == [16, 16]
    assert set(ckpt.meta["observation_space"]["spaces"]) == {
        "humanoid_gps_compass", "humanoid_detector", "range_scan", "base_velocity"}
    assert ckpt.normalization is not None and ckpt.normalization.obs_count["range_scan"] > 100


def test_checkpoint_evaluates_like_the_training_evaluation(trained):
    """make_policy + evaluate (what scripts/evaluate.py runs) reproduces the in-training
    evaluation of the same model exactly."""
    cfg, out, _ = trained
    logged = json.loads((out / "eval.json").read_text())[-1]
    assert logged["steps"] == 128
    policy = make_policy({"name": "ppo"}, checkpoint=str(out / "last.zip"))
    assert isinstance(policy, SB3Policy) and policy.deterministic
    result = evaluate(make_env_factory(cfg.task, "val"), policy, 1, seed=0, progress=False)
    again = {k: v["mean"] for k, v in result["summary"].items()}
    assert again.keys() == logged["summary"].keys()
    for key, value in logged["summary"].items():
        assert again[key] == pytest.approx(value, nan_ok=True), key


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    _, out, _ = trained
    before = read_checkpoint(out / "last.zip")
    cfg = tiny_cfg(tmp_path, "total_steps=192", f"resume={out / 'last.zip'}", "eval_every=0",
                   "checkpoint_every=0")
    summary = train(cfg, tmp_path)
    assert summary["steps"] == 192 and summary["trained_steps"] == 64
    after = read_checkpoint(tmp_path / "last.zip")
    assert after.meta["num_timesteps"] == 192
    # normalisation statistics carried over and kept accumulating (64 steps + 1 reset)
    assert after.normalization.obs_count["range_scan"] == pytest.approx(
        before.normalization.obs_count["range_scan"] + 65)
    old = before.load_model().policy.state_dict()
    new = after.load_model().policy.state_dict()
    assert any(not np.allclose(old[k].numpy(), new[k].numpy()) for k in old), "no update"


def test_interrupt_saves_last_checkpoint_and_keeps_earlier_ones(tmp_path, monkeypatch):
    cfg = tiny_cfg(tmp_path, "total_steps=256", "eval_every=128", "checkpoint_every=64")

    def interrupt(self, logger=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(TrainingRun, "evaluate", interrupt)
    summary = train(cfg, tmp_path)
    assert summary["interrupted"] and summary["steps"] == 128
    assert read_checkpoint(tmp_path / "last.zip").meta["num_timesteps"] == 128
    assert read_checkpoint(tmp_path / "checkpoints/step_000000064.zip").meta["num_timesteps"] == 64
    assert not list(tmp_path.glob("**/*.partial*")), "temporary files left behind"


def test_checkpoint_for_another_space_or_task_is_refused(trained, tmp_path):
    cfg, out, _ = trained
    task = dict(cfg.task)
    policy = make_policy({"name": "ppo"}, checkpoint=str(out / "last.zip"))
    other = make_env_factory({**task, "config": {**task["config"], "scan_rays": 32}}, "val")()
    with pytest.raises(ConfigError, match=r"range_scan shape is \[32\].*expects \[64\]"):
        policy.reset(other)
    other.close()
    ckpt = read_checkpoint(out / "last.zip")
    with pytest.raises(ConfigError, match="obs_mode 'state'"):
        ckpt.check_compatible("social_nav", "depth")
    with pytest.raises(ConfigError, match="trained for task 'social_nav'"):
        ckpt.check_compatible("social_rearrange")
    # resuming into a different observation space is refused too
    bad = tiny_cfg(tmp_path, "total_steps=64", f"resume={out / 'last.zip'}",
                   "task.config.scan_rays=16")
    with pytest.raises(ConfigError, match="range_scan"):
        train(bad, tmp_path)


def test_corrupt_or_missing_checkpoints_raise_asset_errors(trained, tmp_path):
    _, out, _ = trained
    data = (out / "last.zip").read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a checkpoint")
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("data.txt", "hello")
    for path, pattern in ((truncated, "corrupt"), (garbage, "corrupt"),
                          (foreign, "not an embodied checkpoint"),
                          (tmp_path / "missing.zip", "not found")):
        with pytest.raises(AssetError, match=pattern):
            make_policy({"name": "ppo"}, checkpoint=str(path))
    broken_model = tmp_path / "broken_model.zip"
    with zipfile.ZipFile(out / "last.zip") as src, zipfile.ZipFile(broken_model, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, src.read(item)[:100] if item == "model.zip" else src.read(item))
    with pytest.raises(AssetError, match="cannot load the ppo model"):
        make_policy({"name": "ppo"}, checkpoint=str(broken_model))
    with pytest.raises(ConfigError, match="checkpoint=PATH"):
        make_policy({"name": "ppo"}, checkpoint=None)


def test_unknown_policy_lists_the_available_ones():
    with pytest.raises(ConfigError, match="'heuristic'.*'ppo', 'random'"):
        make_policy({"name": "ppx"})


def test_image_extractor_handles_depth_and_rgb_layouts():
    import gymnasium as gym
    import torch

    from embodied.policies.learned.extractors import DictExtractor

    space = gym.spaces.Dict({
        "depth": gym.spaces.Box(0.0, 10.0, (48, 48, 1), np.float32),
        "rgb": gym.spaces.Box(0, 255, (3, 48, 48), np.uint8),       # as SB3 transposes it
        "range_scan": gym.spaces.Box(0.0, 10.0, (8,), np.float32)})
    extractor = DictExtractor(space, cnn_features=16)
    assert extractor.features_dim == 8 + 2 * 16
    assert extractor.channels_last == {"depth": True, "rgb": False}
    assert extractor.scale["depth"] == pytest.approx(0.1)
    obs = {"depth": torch.full((2, 48, 48, 1), 5.0), "rgb": torch.rand(2, 3, 48, 48),
           "range_scan": torch.ones(2, 8)}
    features = extractor(obs)
    assert features.shape == (2, 40)
    assert torch.equal(features[:, :8], torch.ones(2, 8))


def test_discounted_returns_restart_at_episode_ends():
    from embodied.training.imitation import discounted_returns

    returns = discounted_returns(np.array([1.0, 1.0, 1.0, 2.0]),
                                 np.array([False, False, True, True]), 0.5)
    np.testing.assert_allclose(returns, [1.75, 1.5, 1.0, 2.0])


def test_behaviour_cloning_moves_the_policy_towards_the_expert(tmp_path):
    """A run with pretrain_demos clones the heuristic: the policy's mean actions on the
    demonstrations get much closer to the expert's than the untrained policy's."""
    import torch

    from embodied.policies.experts.social_nav import SocialNavHeuristic
    from embodied.training.imitation import collect_demonstrations

    cfg = tiny_cfg(tmp_path, "total_steps=64", "eval_every=0", "checkpoint_every=0",
                   "pretrain_demos=96", "pretrain_epochs=300")
    run = TrainingRun(cfg, tmp_path)
    # the same demonstrations as the run's (seeded from DEMO_SEED_BASE and seed=3)
    demos = collect_demonstrations(run.train_make_env, SocialNavHeuristic(), 96,
                                   seed=DEMO_SEED_BASE + 3 * 10_000)
    assert demos["actions"].shape == (96, 2) and demos["episodes"] == 2
    assert demos["obs"]["range_scan"].shape == (96, 64)

    def action_mse(model, norm):
        obs = norm.normalize(demos["obs"]) if norm is not None else demos["obs"]
        with torch.no_grad():
            tensors = model.policy.obs_to_tensor({k: np.asarray(v, np.float32)
                                                  for k, v in obs.items()})[0]
            mean = model.policy.get_distribution(tensors).distribution.mean.numpy()
        return float(np.mean((mean - demos["actions"]) ** 2))

    try:
        run.train = dataclasses.replace(run.train, pretrain_demos=0)
        run.build()
        from embodied.policies.learned.sb3 import Normalization

        before = action_mse(run.model, None)
        run.train = dataclasses.replace(run.train, pretrain_demos=96)
        summary = run.pretrain()
        after = action_mse(run.model, Normalization.from_vecnormalize(run.venv))
    finally:
        run.close()
    assert summary["samples"] == 96 and summary["action_mse"] < 0.1
    assert after < 0.3 * before, (before, after)
    assert read_checkpoint(tmp_path / "pretrained.zip").meta["num_timesteps"] == 0


def test_dagger_collection_labels_the_actors_states_with_expert_actions(tmp_path):
    from embodied.policies.base import RandomPolicy
    from embodied.policies.experts.social_nav import SocialNavHeuristic
    from embodied.training.imitation import collect_demonstrations

    run = TrainingRun(tiny_cfg(tmp_path), tmp_path)
    expert = SocialNavHeuristic()
    demos = collect_demonstrations(run.train_make_env, expert, 48, seed=7,
                                   actor=RandomPolicy(seed=1))
    env, actor = run.train_make_env(), RandomPolicy(seed=1)
    obs, _ = env.reset(seed=7)
    actor.reset(env, 7)
    labels, driven = [], []
    for _ in range(48):
        labels.append(expert.act(obs, env))
        driven.append(actor.act(obs, env))
        obs, *_ = env.step(driven[-1])
    env.close()
    np.testing.assert_array_equal(demos["actions"], np.stack(labels))
    assert not np.allclose(demos["actions"], np.stack(driven))
    assert demos["ends"][-1] and demos["episodes"] == 1


@pytest.mark.slow
def test_ctrl_c_on_the_training_script_saves_and_exits(tmp_path):
    """SIGINT to the process group (what Ctrl-C sends) with two worker processes: the
    script saves last.zip, leaves earlier checkpoints intact and exits with 130, and no
    process it started outlives it for long.

    The script starts with SIGINT at its default, as a terminal's foreground job does: a
    test run launched in the background by a non-interactive shell (``cmd &``) inherits
    SIGINT ignored, and Python then keeps ignoring it, so Ctrl-C could not be tested.
    The script's output goes to a file and the test waits for the script itself: the
    multiprocessing helpers it started (forkserver, resource tracker) hold a pipe open
    for a moment after it exits. If it does hang, SIGUSR1 makes it print every thread's
    stack into that output first."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "train.py"
    log_path = tmp_path / "train.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(script), *TINY[:3], "n_envs=2", "vec_env=subproc",
             "policy.config.n_steps=64", "policy.config.net_arch=[16,16]", "progress=false",
             "total_steps=1000000", "eval_every=0", "checkpoint_every=128", f"out_dir={tmp_path}",
             f"hydra.run.dir={tmp_path / 'hydra'}"],
            start_new_session=True, stdout=log, stderr=subprocess.STDOUT, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    group = proc.pid

    def diagnosis(what: str) -> str:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(2.0)
        listing = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,cmd", "-g", str(group)],
                                 capture_output=True, text=True).stdout
        report = f"{what}\nprocesses:\n{listing}\noutput:\n{log_path.read_text()[-8000:]}"
        return report

    try:
        deadline = time.monotonic() + 60
        first = tmp_path / "checkpoints" / "step_000000128.zip"
        while not first.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert first.exists(), diagnosis("no first checkpoint")
        os.killpg(group, signal.SIGINT)
        try:
            proc.wait(timeout=120)              # saving under a loaded 2-core machine
        except subprocess.TimeoutExpired:
            pytest.fail(diagnosis("the script did not exit within 120 s of SIGINT"))
        deadline = time.monotonic() + 30
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(group), diagnosis("processes outlived the script by 30 s")
    finally:
        if _group_alive(group):
            os.killpg(group, signal.SIGKILL)
        proc.wait()
    output = log_path.read_text()
    assert proc.returncode == 130, output
    assert "interrupted at" in output and "Traceback" not in output
    last = read_checkpoint(tmp_path / "last.zip").meta["num_timesteps"]
    assert last >= 128
    assert read_checkpoint(first).meta["num_timesteps"] == 128
    assert not list(tmp_path.glob("**/*.partial*"))


def _group_alive(group: int) -> bool:
    """Whether any process of the process group ``group`` is still running (zombies
    waiting for their parent to reap them do not count)."""
    import subprocess

    states = subprocess.run(["ps", "-o", "stat=", "-g", str(group)], capture_output=True,
                            text=True).stdout.split()
    return any(not state.startswith("Z") for state in states)


def test_init_from_starts_a_new_run_from_checkpoint_weights(trained, tmp_path):
    _, out, _ = trained
    source = read_checkpoint(out / "last.zip")
    run = TrainingRun(tiny_cfg(tmp_path, "total_steps=64", "eval_every=0",
                               f"init_from={out / 'last.zip'}", "policy.config.learning_rate=1e-5"),
                      tmp_path)
    try:
        run.build()
        assert run.model.num_timesteps == 0 and run.model.learning_rate == 1e-5
        loaded = run.model.policy.state_dict()
        for key, value in source.load_model().policy.state_dict().items():
            assert np.array_equal(loaded[key].numpy(), value.numpy()), key
        count = source.normalization.obs_count["range_scan"]
        assert run.venv.obs_rms["range_scan"].count == count
        assert run.obs_stats_frozen               # warm start: statistics stay as loaded
        run.learn()
        assert run.venv.obs_rms["range_scan"].count == count
        assert read_checkpoint(tmp_path / "last.zip").meta["obs_stats_frozen"]
    finally:
        run.close()
    mismatched = tiny_cfg(tmp_path, "total_steps=64", f"init_from={out / 'last.zip'}",
                          "policy.config.net_arch=[8]")
    with pytest.raises(ConfigError, match="init_from.*does not match"):
        train(mismatched, tmp_path / "mismatch")


def test_critic_warmup_trains_only_the_value_function(trained, tmp_path):
    _, out, _ = trained
    source = read_checkpoint(out / "last.zip").load_model().policy.state_dict()
    cfg = tiny_cfg(tmp_path, "total_steps=64", "eval_every=0", "checkpoint_every=0",
                   f"init_from={out / 'last.zip'}", "critic_warmup_steps=64")
    train(cfg, tmp_path)
    after = read_checkpoint(tmp_path / "last.zip").load_model().policy.state_dict()
    actor = [k for k in source if k.startswith(("action_net", "mlp_extractor.policy_net"))
             or k == "log_std"]
    critic = [k for k in source if k.startswith(("value_net", "mlp_extractor.value_net"))]
    assert actor and critic
    for key in actor:
        assert np.array_equal(after[key].numpy(), source[key].numpy()), key
    assert any(not np.allclose(after[k].numpy(), source[k].numpy()) for k in critic)


def test_skill_choices_are_cloned_by_cross_entropy(tmp_path):
    """SocialRearrange in skills mode: behaviour cloning of the planner expert's Discrete
    choices makes the policy pick the expert's skill on most demonstration states."""
    import torch

    cfg = tiny_cfg(tmp_path, "task=social_rearrange", "task.config.action_mode=skills",
                   "task.config.max_steps=750", "train_max_steps=null", "total_steps=64",
                   "eval_every=0", "checkpoint_every=0", "pretrain_demos=40",
                   "pretrain_epochs=200", "pretrain_expert=rearrange_expert")
    run = TrainingRun(cfg, tmp_path)
    try:
        run.build()          # builds and clones (pretrain_demos > 0)
        summary = run.pretrain_summary
        from embodied.policies.experts.social_rearrange import RearrangePlanner
        from embodied.training.imitation import collect_demonstrations

        demos = collect_demonstrations(run.train_make_env, RearrangePlanner(privileged=True), 40,
                                       seed=DEMO_SEED_BASE + 3 * 10_000)
        from embodied.policies.learned.sb3 import Normalization

        obs = Normalization.from_vecnormalize(run.venv).normalize(demos["obs"])
        with torch.no_grad():
            tensors = run.model.policy.obs_to_tensor({k: np.asarray(v, np.float32)
                                                      for k, v in obs.items()})[0]
            chosen = run.model.policy.get_distribution(tensors).mode().numpy()
    finally:
        run.close()
    assert "action_cross_entropy" in summary and summary["samples"] == len(demos["actions"])
    agreement = float(np.mean(chosen == demos["actions"].astype(int)))
    assert agreement >= 0.8, agreement


def test_zsc_evaluates_a_checkpoint_with_every_plan_pop_partner(tmp_path):
    """``evaluate.py zsc=true``: the robot policy with each Plan-Pop partner, the one its
    checkpoint trained with marked seen, a table in the output and a log per partner."""
    import subprocess
    import sys
    from pathlib import Path

    cfg = tiny_cfg(tmp_path / "run", "task=social_rearrange", "task.config.action_mode=skills",
                   "task.config.partner=plan_pop_2", "task.config.max_steps=120",
                   "train_max_steps=null", "total_steps=32", "policy.config.n_steps=32",
                   "eval_every=0", "checkpoint_every=0")
    train(cfg, tmp_path / "run")
    out = tmp_path / "zsc.json"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, str(root / "scripts" / "evaluate.py"), "task=social_rearrange",
         "task.config.action_mode=skills", "task.config.max_steps=120", "policy=ppo",
         f"checkpoint={tmp_path / 'run' / 'last.zip'}", "zsc=true", "episodes=1", "split=val",
         f"out={out}", "progress=false", f"hydra.run.dir={tmp_path / 'hydra'}"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["trained_with"] == "plan_pop_2"
    assert list(data["zsc"]) == [f"plan_pop_{p}" for p in (1, 2, 3, 4)]
    assert [row["seen"] for row in data["zsc"].values()] == [False, True, False, False]
    assert all("success" in row["summary"] for row in data["zsc"].values())
    assert (tmp_path / "zsc.plan_pop_3.episodes.jsonl").is_file()
    assert "plan_pop_2 (seen)" in proc.stdout
