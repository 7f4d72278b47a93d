"""LLM planners: ``policy=llm`` (:mod:`.llm`) over the task's skills, its reply format and
grammar (:mod:`.reply`), model backends (:mod:`.backends`: any OpenAI-compatible endpoint,
llama.cpp in process, scripted replies) and pinned local models (:mod:`.models`).
The model clients are optional: ``pip install 'embodied[llm]'`` (openai) or
``'embodied[llm-local]'`` (llama-cpp-python)."""

from embodied.policies.planners.llm import LLMPlanner, LLMPlannerConfig, build
from embodied.policies.registry import register_policy

register_policy("llm", build, config_class=LLMPlannerConfig)

__all__ = ["LLMPlanner", "LLMPlannerConfig"]
