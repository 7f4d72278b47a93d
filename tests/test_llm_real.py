"""The LLM planner with a real local model: llama.cpp's OpenAI-compatible server on
127.0.0.1 with the pinned Qwen2.5-Coder-0.5B (``embodied fetch-model``), one planner
episode through HTTP, then the server is stopped; and the same model in process.
``make test`` / ``.ci/run`` install llama-cpp-python and fetch the model; elsewhere these
are skipped, saying what is missing."""

import json

import gymnasium as gym
import pytest

import embodied  # noqa: F401
from embodied.evaluation import run_episode
from embodied.policies.planners.llm import LLMPlanner, LLMPlannerConfig
from embodied.policies.planners.models import MODELS, model_cache

pytest.importorskip("llama_cpp", reason="needs llama-cpp-python (pip install 'embodied[llm-local]')")
pytest.importorskip("openai", reason="needs openai (pip install 'embodied[llm]')")
MODEL = model_cache() / MODELS["qwen2.5-coder-0.5b"].file
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not MODEL.is_file(), reason="needs the model: embodied fetch-model qwen2.5-coder-0.5b")]


def _env():
    env = gym.make("embodied/SocialRearrange-v1", split="val", action_mode="skills", partner="waiting")
    env.reset(seed=2)
    return env


def test_a_planner_episode_through_llama_cpps_server(tmp_path):
    from embodied.policies.planners.local_server import LocalServer

    transcript = tmp_path / "t.jsonl"
    # one thread: the suite runs two workers on two cores, and the window and browser tests
    # beside this one keep real time
    with LocalServer(MODEL, threads=1) as base_url:
        config = LLMPlannerConfig(backend={"kind": "openai", "base_url": base_url, "model": "local"},
                                  max_replans=4, transcript=str(transcript))
        planner = LLMPlanner(config)
        result = run_episode(_env(), planner, seed=2)
        planner.close()
    m = result["metrics"]
    assert m["llm_calls"] >= 1 and m["prompt_tokens"] > 500 and m["completion_tokens"] > 0
    assert m["parse_failures"] == 0                # the grammar allows only valid calls
    replies = [json.loads(line) for line in transcript.read_text().splitlines()]
    said = [r["content"] for r in replies if r.get("role") == "assistant"]
    assert said and all(s.startswith("Thought: ") and s.endswith("Assigned!") for s in said)
    results = [r["content"] for r in replies if r.get("role") == "user"][1:]
    assert all(r.startswith("Result: ") for r in results)     # the skills ran and reported back


def test_the_same_model_in_process_answers_with_a_valid_call():
    from embodied.policies.planners.backends import LlamaCppBackend

    backend = LlamaCppBackend(str(MODEL), n_ctx=4096, n_threads=1)
    planner = LLMPlanner(LLMPlannerConfig(max_replans=1), backend=backend)
    env = _env()
    planner.reset(env, 2)
    action = planner.act(None, env)
    assert action in env.unwrapped.task.planner_options().values()
    assert planner.metrics["llm_calls"] == 1 and planner.metrics["parse_failures"] == 0


def test_a_simulated_user_on_the_real_model_speaks_within_the_grammar(tmp_path):
    """The humanoid as a simulated user (Say[...] in its grammar: free text) on the real
    server, beside a scripted robot that reads what it says."""
    pytest.importorskip("pettingzoo")
    from embodied.envs import parallel_env
    from embodied.policies.planners.backends import ScriptedBackend
    from embodied.policies.planners.local_server import LocalServer
    from embodied.policies.planners.reply import STOP

    env = parallel_env("social_rearrange", split="val", action_mode="skills", max_steps=300)
    transcript = tmp_path / "user.jsonl"
    with LocalServer(MODEL, threads=1) as base_url:
        user = LLMPlanner(LLMPlannerConfig(
            backend={"kind": "openai", "base_url": base_url, "model": "local"}, agent="human0",
            mode="user", max_replans=3, transcript=str(transcript)))
        robot_backend = ScriptedBackend([f"Thought: I wait to hear.\nWait[]\n{STOP}"])
        robot = LLMPlanner(LLMPlannerConfig(mode="assistant", example=False, max_replans=100),
                           robot_backend)
        result = run_episode(env, robot, 2, humanoid_policy=user)
        user.close()
    m = result["metrics"]
    assert m["humanoid_llm_calls"] >= 1 and m["humanoid_parse_failures"] == 0
    said = [json.loads(line)["content"] for line in transcript.read_text().splitlines()
            if json.loads(line).get("role") == "assistant"]
    assert said and all(s.startswith("Thought: ") and s.endswith("Assigned!") for s in said)
    spoken = [s.split("Say[", 1)[1].split("]", 1)[0] for s in said if "\nSay[" in s]
    robot_saw = "\n".join(p[-1]["content"] for p in robot_backend.prompts)
    assert m["humanoid_messages_sent"] == len(spoken)
    assert all(f"human0: {text.strip()}" in robot_saw for text in spoken)
