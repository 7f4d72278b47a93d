"""Reading a planner's reply, and the grammar that constrains it.

A reply is PARTNR's format: a ``Thought: ...`` line, one tool call ``Tool[arg, ...]`` on
its own line, then ``Assigned!`` (the stop word). The valid calls are the episode's
*options*: ``{"Navigate[mug_0]": action, ..., "Done[]": None}``, rebuilt from the world
each time. :func:`parse_reply` turns any text into a valid call or a :class:`ReplyError`
saying what was wrong (the planner feeds that back as ``Result: error: ...``);
:func:`gbnf` is a llama.cpp grammar under which a model can only write valid calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The stop word ending a reply.
STOP = "Assigned!"
#: Replies longer than this are cut before parsing (a model that rambles).
MAX_REPLY_CHARS = 4000
DONE = "Done[]"
#: The option that lets a planner speak: ``Say[<any one line>]`` (the message is free text).
SAY = "Say[message]"
_CALL = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\s*\[([^\[\]\n]*)\]")


class ReplyError(ValueError):
    """A reply the planner cannot act on; the text says what was wrong."""


@dataclass(frozen=True)
class Call:
    """A valid tool call: its canonical text (``Pick[mug_0]``) and the thought before it."""

    text: str
    thought: str = ""
    message: str | None = None               # what a Say[...] call says

    @property
    def done(self) -> bool:
        return self.text == DONE


def canonical(tool: str, args) -> str:
    return f"{tool}[{', '.join(args)}]"


def _split(text: str) -> tuple[str, tuple[str, ...]]:
    match = _CALL.fullmatch(text.strip())
    tool, raw = match.group(1), match.group(2).strip()
    return tool, tuple(a.strip() for a in raw.split(",")) if raw else ()


def parse_reply(text, options) -> Call:
    """The call a reply makes, checked against ``options`` (see the module docs)."""
    if not isinstance(text, str):
        raise ReplyError(f"the reply is not text ({type(text).__name__})")
    text = text[:MAX_REPLY_CHARS].split(STOP, 1)[0]
    thought = ""
    calls = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith("thought:"):
            thought = stripped[len("thought:"):].strip()
            continue
        calls += [m.group(0) for m in _CALL.finditer(stripped)]
    if not calls:
        raise ReplyError("no tool call found; answer with one line like " +
                         next(iter(options), DONE))
    tool, args = _split(calls[0])
    if tool == "Say" and SAY in options:
        message = _CALL.fullmatch(calls[0].strip()).group(2).strip()
        if not message:
            raise ReplyError("Say needs a message: Say[what you want to tell the other agent]")
        return Call(f"Say[{message}]", thought, message)
    call = canonical(tool, args)
    if call in options:
        return Call(call, thought)
    split = [_split(option) for option in options if option != SAY]
    tools: dict[str, set[int]] = {}
    for t, a in split:
        tools.setdefault(t, set()).add(len(a))
    if tool not in tools:
        raise ReplyError(f"unknown tool {tool!r}; the tools are {', '.join(sorted(tools))}")
    if len(args) not in tools[tool]:
        wanted = " or ".join(str(n) for n in sorted(tools[tool]))
        raise ReplyError(f"{tool} takes {wanted} argument(s), got {len(args)}")
    valid = sorted({a for t, a in split if t == tool and len(a) == len(args)})
    for k, arg in enumerate(args):
        if arg not in {v[k] for v in valid}:
            names = sorted({v[k] for v in valid})
            raise ReplyError(f"{tool}: there is no {arg!r} to use here; valid: {', '.join(names)}")
    raise ReplyError(f"{call} cannot be done now; valid {tool} calls: "
                     + ", ".join(canonical(tool, v) for v in valid))


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gbnf(options) -> str:
    """A llama.cpp GBNF grammar: a thought line, one of ``options`` (a ``Say[...]`` with
    any one-line message when :data:`SAY` is one), the stop word."""
    calls = " | ".join([_literal(o) for o in options if o != SAY]
                       + (['"Say[" message "]"'] if SAY in options else []))
    return (f'root ::= "Thought: " thought "\\n" call "\\n{STOP}"\n'
            'thought ::= [^\\n]+\n'
            f"call ::= {calls}\n"
            + ('message ::= [^\\]\\n]+\n' if SAY in options else ""))
