"""The browser session's parts without a browser: held keys, several participants in one
session, click-to-walk, leaving, the message checks, and a live server facing bad tokens,
foreign origins, malformed, binary and oversized messages and input floods."""

import asyncio
import json
import math

import pytest

from embodied.hitl.config import make_teleop_config
from embodied.hitl.controls import HELD_BACKWARD, HELD_FORWARD, HELD_TURN_RATE, HeldKeys
from embodied.hitl.recording import read_recording
from embodied.hitl.replay import replay
from embodied.hitl.session import TeleopSession
from embodied.hitl.web.protocol import MAX_MESSAGE_BYTES, InvalidMessage, parse_input

BOUNDS = (-5.0, -5.0, 5.0, 5.0)
TWO = ["task.config.bystanders=1", "task.config.max_steps=400", "seed=0"]


def test_held_keys_walk_while_held_and_count_a_tap_shorter_than_a_step():
    keys = HeldKeys()
    assert keys.command(0.0, 2.0) == (0.0, 0.0)
    keys.press("w")
    assert keys.command(0.0, 2.0) == (HELD_FORWARD, 0.0)
    assert keys.command(0.0, 2.0) == (HELD_FORWARD, 0.0)      # still held
    keys.press("a")
    assert keys.command(0.0, 2.0) == (HELD_FORWARD, HELD_TURN_RATE)
    keys.release("w")
    keys.release("a")
    assert keys.command(0.0, 2.0) == (0.0, 0.0)                # let go: stand
    keys.press("s")
    keys.release("s")                                           # a tap between two steps
    assert keys.command(0.0, 2.0) == (HELD_BACKWARD, 0.0)
    assert keys.command(0.0, 2.0) == (0.0, 0.0)
    keys.press("w")
    keys.press("s")
    assert keys.command(0.0, 2.0)[0] == 0.0                    # both: no walking
    keys.press("d")
    assert keys.command(0.0, 1.0)[1] == -1.0                   # capped by the gait


@pytest.mark.parametrize("text, problem", [
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"type": "teleport"}', "unknown message type"),
    ('{"type": "key", "key": "q", "down": true}', "unknown key"),
    ('{"type": "key", "key": "esc", "down": true}', "unknown key"),
    ('{"type": "key", "key": "w", "down": 1}', "'down'"),
    ('{"type": "key", "key": "w", "down": true, "seq": -1}', "'seq'"),
    ('{"type": "key", "key": "r", "down": true}', "only participant 0"),
    ('{"type": "walk_to", "x": NaN, "y": 0}', "finite"),
    ('{"type": "walk_to", "x": 1e300, "y": 0}', "off the map"),
    ('{"type": "walk_to", "x": "1", "y": 0}', "finite"),
    ('{"type": "walk_to", "x": true, "y": 0}', "finite"),
    ("x" * (MAX_MESSAGE_BYTES + 1), "longer than"),
])
def test_malformed_messages_are_refused_with_the_reason(text, problem):
    with pytest.raises(InvalidMessage, match=problem):
        parse_input(text, participant=1, bounds=BOUNDS)


def test_valid_messages_parse():
    key = parse_input('{"type": "key", "key": "w", "down": true, "seq": 3}', 0, BOUNDS)
    assert (key.kind, key.key, key.down, key.seq) == ("key", "w", True, 3)
    walk = parse_input('{"type": "walk_to", "x": 1.5, "y": -2, "seq": 4}', 1, BOUNDS)
    assert walk.xy == (1.5, -2.0) and walk.seq == 4
    assert parse_input('{"type": "key", "key": "r", "down": true}', 0, BOUNDS).key == "r"
    with pytest.raises(InvalidMessage):
        parse_input(b'{"type": "ping", "t": 1}', 0, BOUNDS)         # binary


def _steps(session, n):
    for _ in range(n):
        session.step()


def test_two_participants_drive_two_humanoids_and_the_session_replays(tmp_path):
    record = tmp_path / "two.jsonl"
    session = TeleopSession(make_teleop_config(TWO), record, participants=2, controls="held")
    assert [d.humanoid for d in session.drivers] == ["human0", "bystander0"]
    session.start()
    world = session.world
    start = [world.entity(d.humanoid).xy for d in session.drivers]
    session.press("w", participant=1)
    _steps(session, 24)                                  # 2 s at 12 Hz
    session.release("w", participant=1)
    _steps(session, 12)
    moved = [float(math.dist(world.entity(d.humanoid).xy, s)) for d, s in zip(session.drivers, start)]
    assert moved[1] > 0.4 and moved[0] < 0.05     # only the bystander walked (to a wall here)
    still = world.entity("bystander0").xy
    _steps(session, 12)
    assert math.dist(world.entity("bystander0").xy, still) < 0.05     # released: it stands
    rows = dict(session.hud_rows(1))
    assert rows["you drive"] == "bystander0"
    session.close()
    rec = read_recording(record)
    assert rec.header["driven"] == ["human0", "bystander0"] and rec.header["format_version"] == 3
    assert all(len(step["h"]) == 2 for step in rec.episodes[0].steps)
    assert replay(record)["identical"]


def _reachable_point(session, rng_seed, low, high):
    """A point ``low``-``high`` m from the driven humanoid, reachable, far from the robot
    (SocialNav-v1 ends an episode when they touch)."""
    import numpy as np

    h, world = session.humanoid, session.world
    robot = world.entity("robot").get_pose(world)[:2]
    navmap = h.navmap
    points = [(float(p[0]), float(p[1])) for p in navmap.sample_navigable(np.random.default_rng(rng_seed), 300)
              if low < math.dist(p, h.xy) < high and navmap.connected(h.xy, p)]
    assert points, "no reachable point in range"
    return max(points, key=lambda p: math.dist(p, robot))


def test_click_to_walk_goes_there_a_key_cancels_it_and_a_leaver_waits(tmp_path):
    record = tmp_path / "walk.jsonl"
    session = TeleopSession(make_teleop_config(["task.config.max_steps=400", "seed=0"]), record,
                            controls="held")
    session.start()
    h = session.humanoid
    goal = _reachable_point(session, 1, 2.0, 4.0)
    session.walk_to(goal)
    _steps(session, 12 * 8)
    assert math.dist(h.xy, goal) < 0.3 and session.message == "walk: done"
    with pytest.raises(Exception, match="finite"):
        session.walk_to((math.nan, 0.0))
    session.walk_to(_reachable_point(session, 2, 3.0, 8.0))
    _steps(session, 3)
    assert session.drivers[0].request == "walk"
    session.press("d")                                    # a walking key takes over
    _steps(session, 1)
    assert session.teleop(0).child is None and session.message == "walk cancelled"
    session.press("w")
    _steps(session, 2)
    session.leave(0)                                      # the tab closed, W still held
    _steps(session, 12)
    here = h.xy
    _steps(session, 12)
    assert math.dist(h.xy, here) < 0.05                   # the humanoid waits
    session.close()
    events = [e for s in read_recording(record).episodes[0].steps for e in (s.get("e") or ())]
    assert ["walk", *goal] in events and "cancel" in events
    assert replay(record)["identical"]


def test_too_many_participants_for_the_task_is_a_clear_error():
    with pytest.raises(Exception, match=r"1 humanoid\(s\) people can drive \(human0\).*bystanders"):
        TeleopSession(make_teleop_config(["seed=0"]), None, participants=2, controls="held")


# -- a live server (in a subprocess), without a browser -----------------------------------------


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("aiohttp")
    from embodied.hitl.web.harness import ServerProcess

    s = ServerProcess(["task=social_nav", "seed=0"], participants=1)
    yield s
    s.stop()


async def _frames(url, count, timeout=30.0):
    """Connect to ``url`` and read ``count`` frames (headers)."""
    import aiohttp

    from embodied.hitl.web.server import unpack_frame

    headers = []
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url) as ws:
            hello = json.loads((await ws.receive(timeout)).data)
            while len(headers) < count:
                message = await ws.receive(timeout)
                if message.type == aiohttp.WSMsgType.BINARY:
                    header, jpeg = unpack_frame(message.data)
                    assert jpeg[:2] == b"\xff\xd8"            # a JPEG
                    headers.append(header)
    return hello, headers


def test_server_refuses_bad_tokens_foreign_origins_and_busy_slots(server):
    import aiohttp

    ws_url = server.base.replace("http", "ws") + "/ws?token="

    async def attempt(url, **kwargs):
        async with aiohttp.ClientSession() as http:
            try:
                async with http.ws_connect(url, **kwargs):
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    async def scenario():
        assert await attempt(ws_url + "wrong-token-wrong-token") == 403
        assert await attempt(ws_url) == 403
        assert await attempt(ws_url + server.token, headers={"Origin": "http://evil.example"}) == 403
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(ws_url + server.token):
                assert await attempt(ws_url + server.token) == 409          # the one slot is taken
                assert await attempt(ws_url + server.token + "&participant=5") == 409

    asyncio.run(scenario())
    status = server.status()
    assert status["refused_token"] >= 2 and status["refused_origin"] >= 1 and status["refused_busy"] >= 2
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(f"{server.base}/status?token=nope", timeout=10)
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{server.base}/static/..%2Fserver.py", timeout=10)


def test_server_survives_malformed_binary_oversized_and_flooding_clients(server):
    import aiohttp

    url = server.base.replace("http", "ws") + "/ws?token=" + server.token
    before = server.status()

    async def hostile():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(url) as ws:
                for text in ("{", "[]", '{"type": "key", "key": "q", "down": true}',
                             '{"type": "walk_to", "x": NaN, "y": 0}'):
                    await ws.send_str(text)
                await ws.send_bytes(b"\x00\x01")
                for _ in range(300):                      # a flood: beyond the burst allowance
                    await ws.send_str('{"type": "key", "key": "h", "down": false}')
                await ws.send_str('{"type": "ping", "t": 5}')
                await asyncio.sleep(0.5)
            async with http.ws_connect(url) as ws:
                await ws.send_str("x" * (MAX_MESSAGE_BYTES * 4))
                message = await ws.receive(timeout=10)
                while message.type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    message = await ws.receive(timeout=10)
                return message.data

    close_code = asyncio.run(hostile())
    assert close_code == 1009                             # message too big
    status = server.status()
    assert status["dropped"] - before["dropped"] >= 5
    assert status["rate_limited"] - before["rate_limited"] >= 100
    assert status["refused_oversized"] - before["refused_oversized"] == 1
    # the server and its episode go on: a good client gets fresh frames
    hello, headers = asyncio.run(_frames(url, 3))
    assert hello["type"] == "hello" and hello["humanoid"] == "human0"
    assert headers[-1]["step"] > headers[0]["step"] >= status["steps"] - 12
    assert {"step", "seq", "pose", "hud", "agents"} <= set(headers[0])


def test_serve_without_aiohttp_names_the_extra(monkeypatch):
    import sys

    from embodied.errors import EmbodiedError
    from embodied.hitl.web.server import require_aiohttp

    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(EmbodiedError, match=r"pip install 'embodied\[serve\]'"):
        require_aiohttp()


def test_serve_on_a_port_in_use_is_one_clear_line(server):
    import subprocess
    import sys

    port = server.base.rsplit(":", 1)[1]
    out = subprocess.run([sys.executable, "-m", "embodied.cli", "serve", "seed=0", "--port", port,
                          "--no-record"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr and "Traceback" not in out.stderr
