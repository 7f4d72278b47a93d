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
