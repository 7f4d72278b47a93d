"""Where a planner's replies come from: one small interface, three backends.

- :class:`OpenAIBackend`: any OpenAI-compatible chat-completions endpoint (llama.cpp's
  server, vLLM, Ollama, hosted APIs) through the ``openai`` client; on llama.cpp's server
  the reply is grammar-constrained (its ``grammar`` field), elsewhere parsed and checked.
- :class:`LlamaCppBackend`: a GGUF model in this process (``llama-cpp-python``), always
  grammar-constrained.
- :class:`ScriptedBackend`: fixed replies, for tests.

Made from a config mapping by :func:`make_backend`: ``{"kind": "openai", "base_url":
..., "model": ..., "api_key_env": "OPENAI_API_KEY"}``, ``{"kind": "llama_cpp",
"model_path": ...}`` or ``{"kind": "scripted", "replies": [...]}``. API keys are read
from the environment and never stored in what :meth:`Backend.describe` returns.
"""

from __future__ import annotations

import abc
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from embodied.errors import ConfigError, EmbodiedError, check_range


class BackendError(EmbodiedError):
    """The model could not be asked (unreachable, timed out, refused): the cause is named."""


@dataclass(frozen=True)
class Completion:
    """One reply and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class Backend(abc.ABC):
    """Asks a chat model for one reply."""

    #: Whether :meth:`complete` honours a GBNF grammar.
    supports_grammar = False

    @abc.abstractmethod
    def complete(self, messages: Sequence[dict], grammar: str | None, max_tokens: int,
                 stop: Sequence[str]) -> Completion:
        """One reply to ``messages`` (under ``grammar`` when supported), at most
        ``max_tokens``, cut at any of ``stop``."""

    def describe(self) -> dict:
        """What the backend is (no secrets): kind, model, endpoint."""
        return {"kind": type(self).__name__}

    def close(self) -> None:
        """Release the model or connection."""


class ScriptedBackend(Backend):
    """Replies from a list, in order (then the last one again), for tests."""

    def __init__(self, replies: Sequence[str]):
        if not replies:
            raise ConfigError("replies", replies, reason="needs at least one reply")
        self.replies = list(replies)
        self.calls = 0
        self.prompts: list[list[dict]] = []          # what each call was sent

    def complete(self, messages, grammar, max_tokens, stop):
        self.prompts.append(list(messages))
        text = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        return Completion(text, sum(len(m["content"]) // 4 for m in messages), len(text) // 4, 0.0)

    def describe(self):
        return {"kind": "scripted", "replies": len(self.replies)}


class OpenAIBackend(Backend):
    """An OpenAI-compatible chat-completions endpoint (see the module docs).

    Args:
        base_url: e.g. ``http://127.0.0.1:8080/v1`` (llama.cpp), ``https://api.openai.com/v1``.
        model: the model name the endpoint serves.
        api_key_env: environment variable holding the key (a local server takes any).
        grammar: ``gbnf`` to send llama.cpp's grammar field, ``none`` to rely on parsing.
        timeout: seconds per request; ``connect_timeout`` to reach the server.
        retries: attempts after the first, with exponential backoff from ``backoff`` s.
    """

    def __init__(self, base_url: str = "http://127.0.0.1:8080/v1", model: str = "local",
                 api_key_env: str = "OPENAI_API_KEY", grammar: str = "gbnf", timeout: float = 120.0,
                 connect_timeout: float = 3.0, retries: int = 2, backoff: float = 0.5,
                 temperature: float = 0.0):
        import logging

        try:
            import openai
        except ImportError:
            raise EmbodiedError("the OpenAI-compatible backend needs the openai client: "
                                "pip install 'embodied[llm]'") from None
        if grammar not in ("gbnf", "none"):
            raise ConfigError("grammar", grammar, ("gbnf", "none"))
        check_range("retries", retries, 0, 10, integer=True)
        self.base_url, self.model, self.grammar = str(base_url), str(model), grammar
        self.retries, self.backoff, self.temperature = retries, float(backoff), float(temperature)
        self.supports_grammar = grammar == "gbnf"
        self._openai = openai
        for name in ("httpx", "httpx2"):       # a line per request at INFO under Hydra
            logging.getLogger(name).setLevel(logging.WARNING)
        key = os.environ.get(api_key_env) or "no-key"
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key, max_retries=0,
                                     timeout=openai.Timeout(timeout, connect=connect_timeout))

    def complete(self, messages, grammar, max_tokens, stop):
        openai = self._openai
        extra = {"grammar": grammar} if grammar and self.supports_grammar else None
        for attempt in range(self.retries + 1):
            start = time.perf_counter()
            try:
                reply = self._client.chat.completions.create(
                    model=self.model, messages=list(messages), max_tokens=max_tokens,
                    temperature=self.temperature, stop=list(stop) or None, extra_body=extra)
            except (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError,
                    openai.InternalServerError) as exc:
                cause = exc
            except openai.APIStatusError as exc:   # 4xx: asking again will not help
                raise BackendError(f"{self.base_url} refused the request: HTTP {exc.status_code} "
                                   f"{_short(exc.message)}") from None
            else:
                text = reply.choices[0].message.content if reply.choices else None
                usage = reply.usage
                return Completion(text or "", getattr(usage, "prompt_tokens", 0) or 0,
                                  getattr(usage, "completion_tokens", 0) or 0,
                                  time.perf_counter() - start)
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        kind = "timed out" if isinstance(cause, openai.APITimeoutError) else "failed"
        raise BackendError(f"asking {self.model} at {self.base_url} {kind} after "
                           f"{self.retries + 1} attempt(s): {_short(str(cause))}")

    def describe(self):
        return {"kind": "openai", "base_url": self.base_url, "model": self.model,
                "grammar": self.grammar}

    def close(self):
        self._client.close()


class LlamaCppBackend(Backend):
    """A GGUF model run in this process by llama.cpp (``llama-cpp-python``).

    Args:
        model_path: the GGUF file (``embodied fetch-model`` gets a small one).
        n_ctx: context length in tokens; n_threads: CPU threads (default: all cores).
    """

    supports_grammar = True

    def __init__(self, model_path: str, n_ctx: int = 4096, n_threads: int | None = None,
                 temperature: float = 0.0, seed: int = 0):
        path = Path(os.path.expanduser(str(model_path)))
        if not path.is_file():
            raise ConfigError("model_path", str(path), reason="no such file; `embodied fetch-model "
                              "qwen2.5-coder-0.5b` fetches one, or point it at any GGUF file")
        try:
            import llama_cpp
        except ImportError:
            raise EmbodiedError("the in-process backend needs llama-cpp-python: "
                                "pip install 'embodied[llm-local]'") from None
        self._llama_cpp = llama_cpp
        self.model_path, self.temperature = str(path), float(temperature)
        self._llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                                    seed=seed, verbose=False)
        self._grammars: dict[str, object] = {}

    def complete(self, messages, grammar, max_tokens, stop):
        kwargs = {}
        if grammar:
            if grammar not in self._grammars:
                self._grammars = {grammar: self._llama_cpp.LlamaGrammar.from_string(grammar, verbose=False)}
            kwargs["grammar"] = self._grammars[grammar]
        start = time.perf_counter()
        reply = self._llm.create_chat_completion(messages=list(messages), max_tokens=max_tokens,
                                                 temperature=self.temperature, stop=list(stop), **kwargs)
        usage = reply.get("usage", {})
        return Completion(reply["choices"][0]["message"]["content"] or "",
                          usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0),
                          time.perf_counter() - start)

    def describe(self):
        return {"kind": "llama_cpp", "model": Path(self.model_path).name}

    def close(self):
        self._llm = None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


BACKENDS = {"openai": OpenAIBackend, "llama_cpp": LlamaCppBackend, "scripted": ScriptedBackend}


def make_backend(config) -> Backend:
    """A backend from its config mapping (see the module docs)."""
    if isinstance(config, Backend):
        return config
    if not isinstance(config, dict) or config.get("kind") not in BACKENDS:
        raise ConfigError("backend.kind", (config or {}).get("kind") if isinstance(config, dict) else config,
                          sorted(BACKENDS))
    options = {k: v for k, v in config.items() if k != "kind"}
    try:
        return BACKENDS[config["kind"]](**options)
    except TypeError as exc:
        raise ConfigError("backend", options, reason=str(exc)) from None
