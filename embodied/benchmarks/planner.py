"""The LLM planner's costs: its own work per model call without a model (the world text,
the options and their grammar, the prompt, parsing the reply) in a SocialRearrange home
with 40 objects; and, when llama-cpp-python and a pinned model are present, the local
model on this CPU through llama.cpp's server: seconds per decision and tokens per second.
"""

from __future__ import annotations

from embodied.benchmarks.timing import median_seconds


def bench_overhead(objects: int = 40, repeats: int = 7, number: int = 50) -> dict:
    import gymnasium as gym

    import embodied  # noqa: F401
    from embodied.policies.planners.llm import _objects_part
    from embodied.policies.planners.reply import gbnf, parse_reply

    from embodied.scenes.home import HomeConfig

    env = gym.make("embodied/SocialRearrange-v1", split="val", action_mode="skills",
                   partner="waiting", home=HomeConfig(num_objects=(objects, objects)))
    env.reset(seed=2)
    task = env.unwrapped.task
    count = len(task._scene().home.objects)
    target = task.targets[0]
    reply = f"Thought: I go to {target.object} first.\nNavigate[{target.object}]\nAssigned!"

    def one_call():
        options = task.planner_options()
        prompt = f"Result: {task.planner_result()}\n{_objects_part(task.planner_world())}"
        gbnf(options)
        parse_reply(reply, options)
        return prompt

    seconds = median_seconds(one_call, repeats=repeats, number=number)
    words = len(one_call().split())
    env.close()
    return {"overhead_ms_per_call": seconds * 1e3, "home_objects": float(count),
            "result_message_words": float(words)}


def bench_local_model(model: str = "qwen2.5-coder-1.5b", calls: int = 4) -> dict:
    """A few real decisions of the planner's first episode state (each call from the same
    prompt after a warm-up, so the prompt prefix is cached as in an episode)."""
    import time

    import gymnasium as gym

    from embodied.policies.planners.backends import OpenAIBackend
    from embodied.policies.planners.llm import LLMPlanner, LLMPlannerConfig
    from embodied.policies.planners.local_server import LocalServer
    from embodied.policies.planners.models import MODELS, model_cache

    path = model_cache() / MODELS[model].file
    if not path.is_file():
        return {"skipped": f"no {model}: embodied fetch-model {model}"}
    env = gym.make("embodied/SocialRearrange-v1", split="val", action_mode="skills", partner="waiting")
    env.reset(seed=2)
    out = {}
    with LocalServer(path) as base_url:
        backend = OpenAIBackend(base_url=base_url)
        planner = LLMPlanner(LLMPlannerConfig(), backend=backend)
        planner.reset(env, 2)
        start = time.perf_counter()
        planner.act(None, env)                         # the whole first prompt, uncached
        out["first_call_s"] = time.perf_counter() - start
        out["first_prompt_tokens"] = planner.metrics["prompt_tokens"]
        messages = list(planner.messages[:-1])
        grammar = None
        from embodied.policies.planners.reply import STOP, gbnf

        grammar = gbnf(planner.options)
        times, tokens = [], []
        for _ in range(calls):
            reply = backend.complete(messages, grammar, 128, [STOP])
            times.append(reply.seconds)
            tokens.append(reply.completion_tokens)
        out["decision_s"] = sorted(times)[len(times) // 2]
        out["completion_tokens_per_s"] = sum(tokens) / sum(times)
        out["prompt_tokens_per_s_first_call"] = out["first_prompt_tokens"] / out["first_call_s"]
        backend.close()
    env.close()
    return out


def run() -> dict:
    out = bench_overhead()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        out["local_model"] = "skipped: llama-cpp-python is not installed"
        return out
    for name in ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"):
        for key, value in bench_local_model(name).items():
            out[f"{name}_{key}"] = value
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(key, value)
