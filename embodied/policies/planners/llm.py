"""``policy=llm``: a ReAct planner over the task's skills, asking a chat model (PARTNR's
prompt and reply formats, ../shared/REFERENCE.md §2).

Each time the robot's skill has finished, failed or been interrupted (in skills mode,
every ``act``), the planner tells the model how it went (``Result: ...`` and the current
``Objects:``), asks for the next call, checks it against the calls the episode allows
(the task's ``planner_options``; under a grammar where the backend takes one, rebuilt on
every call), and returns that skill. A reply it cannot act on (no call, an unknown tool,
a wrong argument count, an entity that is not there) goes back as ``Result: error: ...``
and counts as a replan. ``Done[]`` ends the planning: the robot waits out the episode.
Past the replanning cap, or when the model cannot be asked, the episode ends at once with
the cause (:class:`~embodied.policies.base.PolicyAbort`); results already written stay.

The planner plans the robot, or (``agent="human0"``, in the parallel env) the humanoid
over its own skills. With ``say`` (and in the ``user`` and ``assistant`` modes: a
simulated user with a hidden goal instructing a robot that is not told it) the model may
also call ``Say[message]``: the message goes to the other agent, whose next prompt shows
it under ``Messages:``; the planner then asks again (a call, counted).

The prompt: the system text and the agent's role; then, unless ``example=False``, one
solved episode of another home in exactly the live format (small models need it to keep
the format); then ``Task: ...``, the world (furniture per room, then where each object is
or who holds it), ``Possible Actions:`` (the skill library's tool lines and ``Done[]``),
and the reply format.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embodied.errors import ConfigError, check_range
from embodied.policies.base import Policy, PolicyAbort
from embodied.policies.planners.backends import Backend, BackendError, make_backend
from embodied.policies.planners.reply import SAY, STOP, ReplyError, gbnf, parse_reply

SYSTEM = ("You are an expert at planning tasks in a home shared with another agent. The other "
          "agent acts at the same time as you and may already have moved objects, or be "
          "holding them. You act by calling one tool at a time; after each call you are told "
          "its result and where the objects are now.")
ROLES = {"robot": "You control the robot.", "human0": "You control the person (human0)."}
SAY_LINE = "Say[message]: tell the other agent something (one line); it reads it at its next step"
#: How each mode's agent is told its task (see LLMPlannerConfig.mode).
USER_TASK = ("You want this done: {task} The robot helping you does not know it. Tell it what "
             "to move where with Say[...], watch what it does (Other agent) and correct it when "
             "it does something else. You may move objects yourself too.")
ASSISTANT_TASK = ("A person shares this home with you and knows what needs tidying: they will "
                  "tell you (Messages). Do what they ask; ask with Say[...] when unsure.")
MODES = ("planner", "user", "assistant")
REPLY_FORMAT = (f"Answer with one line 'Thought: <your reasoning>', then one tool call on the "
                f"next line, then '{STOP}'.")
DONE_LINE = "Done[]: call when every object is where the task wants it"

#: One solved episode of another home (the live format, turn by turn).
EXAMPLE_TASK = ("Move cup_9 from shelf_9 to table_9 and plate_9 from sink_9 to table_9. Another agent "
                "(a person) tidies up at the same time and may move them too.")
EXAMPLE_FURNITURE = "Furniture:\nkitchen_9: table_9, shelf_9, sink_9\nhallway_9: cabinet_9"
EXAMPLE_TURNS = (
    ("plate_9: held by the other agent\ncup_9: shelf_9 in kitchen_9\nOther agent: doing "
     "Navigate[table_9]",
     "The other agent holds plate_9, so I take cup_9. I go to it first.", "Navigate[cup_9]"),
    ("plate_9: held by the other agent\ncup_9: shelf_9 in kitchen_9\nOther agent: doing "
     "Navigate[table_9]",
     "I am next to cup_9, so I pick it up.", "Pick[cup_9]"),
    ("plate_9: held by the other agent\ncup_9: held by the agent\nOther agent: doing "
     "Place[table_9]",
     "I hold cup_9; it goes to table_9.", "Navigate[table_9]"),
    ("plate_9: table_9 in kitchen_9\ncup_9: held by the agent\nOther agent: did (done) "
     "Place[table_9]",
     "I am at table_9, so I place cup_9 on it.", "Place[table_9]"),
    ("plate_9: table_9 in kitchen_9\ncup_9: table_9 in kitchen_9\nOther agent: doing Wait[]",
     "Both objects are on table_9: the task is done.", "Done[]"),
)


@dataclass(frozen=True)
class LLMPlannerConfig:
    """Settings of ``policy=llm``.

    Args:
        backend: where replies come from (see :func:`make_backend`): ``{"kind": "openai",
            "base_url": ..., "model": ...}``, ``{"kind": "llama_cpp", "model_path": ...}``.
        max_replans: model calls per episode before it ends (PARTNR: 25).
        max_tokens: longest reply (tokens).
        example: give the solved example episode first.
        transcript: JSON-lines file every prompt, reply and result is appended to
            (``scripts/evaluate.py`` puts it beside the results).
        agent: the agent planned for.
        world_objects: the objects the world text lists: ``all`` of the home (PARTNR) or
            only the ``task``'s.
        history: the exchanges (reply + result) kept after the first prompt; older ones
            are dropped so the prompt stays within the model's context. Dropping changes
            the prompt's prefix, so a server re-reads the kept exchanges on every call
            (llama.cpp on this CPU: from ~6 s to over 20 s a call): keep it at least
            ``max_replans`` when the context allows (4,096 tokens hold ~25 exchanges with
            ``world_objects=task``).
        feasible_only: offer (and allow under the grammar) only the calls the world allows
            now, e.g. no pick of an object the other agent holds; False: every call that
            names the task's entities (PARTNR's grammar), failing ones then fail as skills.
        mode: ``planner`` (told the task), ``user`` (a simulated user: the humanoid knows
            the task, the robot does not, and it instructs and corrects the robot in
            words) or ``assistant`` (the robot beside such a user: not told the task, it
            does what it is told). ``user`` and ``assistant`` can speak.
        persona: a line about who the agent is, added to its role.
        say: offer ``Say[message]`` (a message to the other agent, read in its next
            prompt and in its observation) in ``planner`` mode too.
    """

    backend: dict = field(default_factory=lambda: {"kind": "openai"})
    max_replans: int = 25
    max_tokens: int = 128
    example: bool = True
    transcript: str | None = None
    agent: str = "robot"
    world_objects: str = "all"
    history: int = 25
    feasible_only: bool = True
    mode: str = "planner"
    persona: str = ""
    say: bool = False

    def __post_init__(self):
        from embodied.errors import check_choice

        check_range("max_replans", self.max_replans, 1, 1000, integer=True)
        check_range("max_tokens", self.max_tokens, 8, 4096, integer=True)
        check_range("history", self.history, 1, 1000, integer=True)
        check_choice("world_objects", self.world_objects, ("all", "task"))
        check_choice("mode", self.mode, MODES)
        check_choice("agent", self.agent, tuple(ROLES))
        wanted = {"user": "human0", "assistant": "robot"}.get(self.mode)
        if wanted is not None and self.agent != wanted:
            raise ConfigError("mode", self.mode, reason=f"is a mode of the {wanted} "
                              f"(agent={wanted}), not of {self.agent}")
        if self.mode == "assistant" and self.world_objects == "task":
            raise ConfigError("world_objects", "task", reason="would tell an assistant the task "
                              "(mode=assistant lists every object of the home)")

    @property
    def speaks(self) -> bool:
        return self.say or self.mode != "planner"


def tool_lines(task, agent: str = "robot", say: bool = False) -> str:
    """``Possible Actions:`` lines: the skill library's tools the task offers ``agent``,
    ``Say[message]`` with ``say``, ``Done[]``."""
    from embodied.skills.library import default_library

    offered = {option.split("[", 1)[0] for option in task.planner_options(agent)}
    library = default_library()
    kind = "robot" if agent == "robot" else "humanoid"
    lines = [line for line in library.describe(kind).splitlines()
             if line.split("[", 1)[0] in offered]
    return "\n".join(lines + [SAY_LINE] * say + [DONE_LINE])


def first_prompt(task_text: str, furniture_and_objects: str, tools: str) -> str:
    return (f"Task: {task_text}\n\n{furniture_and_objects}\n\nPossible Actions:\n{tools}\n\n"
            f"{REPLY_FORMAT}")


def _objects_part(world_text: str) -> str:
    return world_text[world_text.index("Objects:"):]


def example_messages(tools: str) -> list[dict]:
    """The solved example episode as chat turns."""
    objects = "Objects:\n" + EXAMPLE_TURNS[0][0]
    messages = [{"role": "user", "content": first_prompt(EXAMPLE_TASK, f"{EXAMPLE_FURNITURE}\n{objects}", tools)}]
    for k, (_, thought, call) in enumerate(EXAMPLE_TURNS):
        messages.append({"role": "assistant", "content": f"Thought: {thought}\n{call}\n{STOP}"})
        if k + 1 < len(EXAMPLE_TURNS):
            messages.append({"role": "user", "content": "Result: Successful execution!\nObjects:\n"
                             + EXAMPLE_TURNS[k + 1][0]})
    return messages


class LLMPlanner(Policy):
    """The planner (see the module docs)."""

    name = "llm"

    def __init__(self, config: LLMPlannerConfig, backend: Backend | None = None):
        self.config = config
        self.backend = backend or make_backend(dict(config.backend))
        self._transcript = None
        self.metrics: dict[str, float] = {}

    # -- episodes -----------------------------------------------------------------------------
    def reset(self, env, seed: int | None = None) -> None:
        task = env.unwrapped.task
        if not callable(getattr(task, "planner_options", None)):
            raise ConfigError("policy", "llm", reason=f"task {task.name} offers no planner tools")
        cfg = self.config
        if cfg.speaks and not callable(getattr(task, "post_message", None)):
            raise ConfigError("policy.config.mode", cfg.mode, reason=f"task {task.name} has no "
                              "message channel between its agents")
        self.options = task.planner_options(cfg.agent)
        tools = tool_lines(task, cfg.agent, cfg.speaks)
        role = ROLES[cfg.agent] + (f" {cfg.persona.strip()}" if cfg.persona.strip() else "")
        self.messages = [{"role": "system", "content": f"{SYSTEM}\n{role}"}]
        if cfg.example:
            self.messages += example_messages(tools)
        instruction = task.planner_instruction(cfg.agent)
        instruction = {"planner": instruction, "user": USER_TASK.format(task=instruction),
                       "assistant": ASSISTANT_TASK}[cfg.mode]
        self._seen = 0                           # messages of the episode read so far
        self._first = first_prompt(instruction, self._world(task), tools)
        self._last_call = None
        self.seed = seed
        self.done = False
        self.metrics = {"llm_calls": 0.0, "parse_failures": 0.0, "prompt_tokens": 0.0,
                        "completion_tokens": 0.0, "llm_seconds": 0.0, "planner_done": 0.0,
                        "messages_sent": 0.0}
        self._wait = self.options["Wait[]"]
        self._repeated, self._head = False, None
        self._log({"event": "episode", "backend": self.backend.describe(), "messages": self.messages})

    def episode_metrics(self) -> dict[str, float]:
        """What planning cost this episode (merged into the episode's metrics)."""
        m = dict(self.metrics)
        m["replanning_count"] = m["llm_calls"]
        m["seconds_per_call"] = m["llm_seconds"] / m["llm_calls"] if m["llm_calls"] else float("nan")
        return m

    # -- deciding -----------------------------------------------------------------------------
    def act(self, observation, env):
        if self.done:
            return self._wait
        task = env.unwrapped.task
        self.options = self._options(task)
        if self._first is not None:
            self._say("user", self._first + self._inbox(task))
            self._first = None
            self._head = len(self.messages)       # what every prompt keeps
        else:
            again = (f"(you called {self._last_call} twice in a row) " if self._repeated else "")
            self._say("user", f"Result: {again}{task.planner_result(self.config.agent)}\n"
                              f"{_objects_part(self._world(task))}{self._inbox(task)}")
        while True:
            if self.metrics["llm_calls"] >= self.config.max_replans:
                self._log({"event": "abort", "reason": "replanning cap"})
                raise PolicyAbort(f"the planner reached its replanning cap ({self.config.max_replans} calls)")
            grammar = gbnf(self.options) if self.backend.supports_grammar else None
            try:
                reply = self.backend.complete(self._prompt(), grammar, self.config.max_tokens, [STOP])
            except BackendError as exc:
                self._log({"event": "abort", "reason": str(exc)})
                raise PolicyAbort(f"the planner's model failed: {exc}") from None
            m = self.metrics
            m["llm_calls"] += 1
            m["prompt_tokens"] += reply.prompt_tokens
            m["completion_tokens"] += reply.completion_tokens
            m["llm_seconds"] += reply.seconds
            text = reply.text.split(STOP, 1)[0].rstrip()
            self._say("assistant", f"{text}\n{STOP}", seconds=reply.seconds,
                      prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)
            try:
                call = parse_reply(text, self.options)
            except ReplyError as exc:
                m["parse_failures"] += 1
                self._say("user", f"Result: error: {exc}")
                continue
            if call.message is not None:
                said = task.post_message(self.config.agent, call.message)
                m["messages_sent"] += 1
                self._say("user", f"Result: said \"{said}\".")
                continue
            if call.done:
                self.done = True
                m["planner_done"] = 1.0
                return self._wait
            self._repeated = call.text == self._last_call
            self._last_call = call.text
            return self.options[call.text]

    def _world(self, task) -> str:
        return task.planner_world(self.config.agent, self.config.world_objects)

    def _options(self, task) -> dict:
        options = task.planner_options(self.config.agent, now=self.config.feasible_only)
        if self.config.speaks:
            options[SAY] = None
        return options

    def _inbox(self, task) -> str:
        """``Messages:`` lines the other agent posted since the last prompt ("" if none)."""
        if not callable(getattr(task, "messages_for", None)):
            return ""
        new = task.messages_for(self.config.agent, self._seen)
        self._seen = len(task.messages)
        if not new:
            return ""
        return "\nMessages:\n" + "\n".join(f"{sender}: {text}" for _, sender, text in new)

    def _prompt(self) -> list[dict]:
        """The messages sent: everything up to the first prompt, then the last
        ``history`` exchanges (a reply and its result each)."""
        keep = 2 * self.config.history           # (reply, result) pairs, the newest result last
        tail = self.messages[self._head:]
        return self.messages[:self._head] + (tail[-keep:] if len(tail) > keep else tail)

    # -- transcripts --------------------------------------------------------------------------
    def _say(self, role: str, content: str, **extra: Any) -> None:
        self.messages.append({"role": role, "content": content})
        self._log({"event": "message", "role": role, "content": content, **extra})

    def _log(self, record: dict) -> None:
        path = self.config.transcript
        if path is None:
            return
        if self._transcript is None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._transcript = open(path, "a", encoding="utf-8")
        self._transcript.write(json.dumps({"seed": self.seed, "time": time.time(), **record}) + "\n")
        self._transcript.flush()
        os.fsync(self._transcript.fileno())

    def close(self) -> None:
        if self._transcript is not None:
            self._transcript.close()
            self._transcript = None
        self.backend.close()


def build(policy_cfg, checkpoint):
    from embodied.config import build_dataclass

    return LLMPlanner(build_dataclass(LLMPlannerConfig, policy_cfg.get("config"), "policy.config"))
