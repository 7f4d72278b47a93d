"""The browser session server behind ``embodied serve``.

One :class:`SimLoop` thread runs the :class:`~embodied.hitl.session.TeleopSession` at the
task's control rate (held keys, click-to-walk, every step recorded) and publishes a
:class:`Snapshot` after each step. An aiohttp server serves the page (static files
shipped in the package) and one WebSocket per participant: inputs go to the loop's inbox,
and each participant's view streams back as JPEG frames rendered by that participant's
own :class:`~embodied.hitl.web.frames.FrameRenderer` process, always from the newest
snapshot (a slow client gets fewer frames, never older ones).

Frames are binary WebSocket messages: a 4-byte little-endian header length, the header
(JSON: step, episode, the participant's pose, the last input applied, the HUD rows, every
driven humanoid's and the robot's pose for the map) and the JPEG.

Security: the server binds to 127.0.0.1 unless told otherwise; a WebSocket must present
the session token (printed at start) and come from the page's own origin; inputs are
checked (:mod:`embodied.hitl.web.protocol`), bad ones dropped and counted, oversized ones
refused, floods rate-limited; a client's errors end that client's connection only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import pickle
import queue
import resource
import secrets
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from embodied.errors import ConfigError, EmbodiedError, check_range
from embodied.hitl.web.frames import FrameRenderer, fixed_camera, follow_camera, top_down_camera
from embodied.hitl.web.protocol import MAX_MESSAGE_BYTES, WEB_KEYS, InvalidMessage, parse_input

#: Inputs a client may send per second on average (and in one burst).
RATE_LIMIT, RATE_BURST = 60.0, 120.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")
STATIC_FILES = ("index.html", "client.js", "style.css")
#: Headers of every page response: nothing from elsewhere, no sniffing, no framing.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                                           "connect-src 'self'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store"}


def require_aiohttp():
    """The aiohttp module, or an EmbodiedError naming the extra to install."""
    try:
        import aiohttp
        from aiohttp import web  # noqa: F401
    except ImportError:
        raise EmbodiedError("the browser server needs aiohttp: pip install 'embodied[serve]'") from None
    return aiohttp


@dataclass
class Snapshot:
    """The episode as one step left it: what every participant's frame shows."""

    step: int
    episode: int
    generation: int                      # counts homes: a new one needs a new model
    poses: tuple                         # (qpos, mocap_pos, mocap_quat) copies
    participants: list[dict]             # per participant: humanoid, pose, camera, hud, seq
    agents: dict[str, list[float]]       # name -> (x, y, yaw) for the map
    published: float                     # perf_counter() when published


@dataclass
class HomeMap:
    """The top-down map participants click on: a PNG of the first driven humanoid's
    navigation map and the world rectangle it covers."""

    generation: int
    model_bytes: bytes
    png: bytes
    bounds: tuple[float, float, float, float]


class SimLoop(threading.Thread):
    """Runs a session in real time, applies the participants' inputs before each step and
    publishes a :class:`Snapshot` after it. Ends after ``steps`` steps, at :meth:`stop`,
    or on an error (kept in :attr:`error`); then closes the session (its summary in
    :attr:`summary`), abandoning the recording on an error so what was written stays."""

    def __init__(self, session, steps: int | None = None, on_publish=None, realtime: bool = True):
        super().__init__(daemon=True, name="embodied-sim")
        self.session = session
        self.steps = steps
        self.realtime = realtime
        self.on_publish = on_publish or (lambda: None)
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.latest: Snapshot | None = None
        self.home: HomeMap | None = None
        self.error: BaseException | None = None
        self.summary: dict | None = None
        self.cpu_seconds = 0.0
        self.stop_reason = "quit"
        self._applied = [0] * len(session.drivers)
        self._world = None
        self._stopping = threading.Event()
        self.finished = threading.Event()

    def stop(self, reason: str = "quit") -> None:
        self.stop_reason = reason
        self._stopping.set()

    def run(self) -> None:
        from embodied.hitl.viewer import RealTimeClock

        session = self.session
        clock = RealTimeClock(session.dt, session.realtime)
        try:
            session.start()
            self._publish()
            while not self._stopping.is_set() and not session.quit and \
                    (self.steps is None or session.total_steps < self.steps):
                if self.realtime:
                    clock.wait()
                self._apply_inputs()
                session.step()
                self._publish()
                self.cpu_seconds = time.thread_time()
            self.summary = session.close(self.stop_reason)
        except BaseException as exc:
            self.error = exc
            session.abandon()
        finally:
            self.finished.set()
            self.on_publish()

    def _apply_inputs(self) -> None:
        session = self.session
        while True:
            try:
                participant, what = self.inbox.get_nowait()
            except queue.Empty:
                return
            if what == "leave":
                session.leave(participant)
            elif what == "join":
                session.rejoin(participant)
            elif what.kind == "key":
                (session.press if what.down else session.release)(what.key, participant)
                self._applied[participant] = what.seq
            elif what.kind == "walk_to":
                session.walk_to(what.xy, participant)
                self._applied[participant] = what.seq

    def _publish(self) -> None:
        import cv2

        from embodied.envs.views import _poses
        from embodied.hitl.session import CAMERAS

        session = self.session
        world = session.world
        if world is not self._world:
            self._world = world
            navmap = world.entity(session.drivers[0].humanoid).navmap
            ok, png = cv2.imencode(".png", navmap.to_image()[:, :, ::-1])
            self.home = HomeMap(self.home.generation + 1 if self.home else 0,
                                pickle.dumps(world.model), png.tobytes(), tuple(navmap.bounds))
        inset = session.task.inset_camera()
        participants = []
        for i, d in enumerate(session.drivers):
            x, y, yaw = world.entity(d.humanoid).get_pose(world)
            view = CAMERAS[d.camera]
            if view == "robot head" and inset is not None:
                camera = fixed_camera(inset)
            elif view == "top-down":
                camera = top_down_camera(self.home.bounds)
            else:
                camera = follow_camera((x, y), yaw)
            participants.append({"humanoid": d.humanoid, "pose": [x, y, yaw], "camera": camera,
                                 "view": view, "hud": session.hud_rows(i), "seq": self._applied[i],
                                 "present": d.present})
        agents = {d.humanoid: list(world.entity(d.humanoid).get_pose(world)) for d in session.drivers}
        agents[session.task.observer] = list(world.entity(session.task.observer).get_pose(world))
        self.latest = Snapshot(session.total_steps, session.episode, self.home.generation,
                               _poses(world.data), participants, agents, time.perf_counter())
        self.on_publish()


@dataclass
class Client:
    """One connected participant."""

    ws: object
    participant: int
    fresh: asyncio.Event = field(default_factory=asyncio.Event)
    generation: int = -1
    last_step: int = -1
    allowance: float = RATE_BURST
    last_input: float = field(default_factory=time.perf_counter)

    def admit(self) -> bool:
        """Token bucket: whether one more input fits the rate limit."""
        now = time.perf_counter()
        self.allowance = min(RATE_BURST, self.allowance + (now - self.last_input) * RATE_LIMIT)
        self.last_input = now
        if self.allowance < 1.0:
            return False
        self.allowance -= 1.0
        return True


def pack_frame(header: dict, jpeg: bytes) -> bytes:
    """A frame message: header length, header JSON, JPEG."""
    head = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<I", len(head)) + head + jpeg


def unpack_frame(message: bytes) -> tuple[dict, bytes]:
    """The header and JPEG of a :func:`pack_frame` message."""
    (length,) = struct.unpack_from("<I", message)
    return json.loads(message[4:4 + length]), message[4 + length:]


class WebServer:
    """Serves one session to browser participants (see the module docs).

    Args:
        session: a :class:`TeleopSession` made with ``controls="held"``, not started.
        host, port: where to listen (port 0: a free one).
        token: the session token (default: a fresh random one).
        frame_size: (width, height) of the streamed frames.
        quality: JPEG quality.
        steps: stop after this many steps (default: until stopped).
    """

    def __init__(self, session, host: str = "127.0.0.1", port: int = 8000,
                 token: str | None = None, frame_size: tuple[int, int] = (480, 360),
                 quality: int = 70, steps: int | None = None):
        require_aiohttp()
        check_range("port", port, 0, 65535, integer=True)
        if token is not None and (not isinstance(token, str) or len(token) < 16):
            raise ConfigError("token", "<hidden>", reason="must be at least 16 characters")
        self.session = session
        self.host, self.port = host, port
        self.token = token or secrets.token_urlsafe(18)
        self.frame_size, self.quality = tuple(frame_size), quality
        self.participants = len(session.drivers)
        self.clients: dict[int, Client] = {}
        self.frames_sent = [0] * self.participants
        self.counts = {"refused_token": 0, "refused_origin": 0, "refused_busy": 0,
                       "refused_oversized": 0, "dropped": 0, "rate_limited": 0}
        self.url = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self.sim = SimLoop(session, steps, on_publish=self._published)
        self._renderers: list[FrameRenderer] = []
        self._executor = ThreadPoolExecutor(max_workers=self.participants,
                                            thread_name_prefix="embodied-frames")
        self._started = time.perf_counter()
        self._static = resources.files("embodied.hitl.web") / "static"

    # -- from the simulation thread ---------------------------------------------------------
    def _published(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):      # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for client in self.clients.values():
            client.fresh.set()
        if self.sim.finished.is_set() and self._stopped is not None:
            self._stopped.set()

    # -- HTTP -------------------------------------------------------------------------------
    def _app(self):
        from aiohttp import web

        app = web.Application(client_max_size=4096)
        app.router.add_get("/", self._page)
        app.router.add_get("/static/{name}", self._file)
        app.router.add_get("/ws", self._socket)
        app.router.add_get("/status", self._status)
        app.router.add_get("/favicon.ico", lambda request: web.Response(status=204))
        return app

    async def _page(self, request):
        return self._send_file("index.html")

    async def _file(self, request):
        from aiohttp import web

        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return self._send_file(name)

    def _send_file(self, name: str):
        from aiohttp import web

        kind = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
        return web.Response(body=(self._static / name).read_bytes(), content_type=kind,
                            charset="utf-8", headers=PAGE_HEADERS)

    def _authorised(self, request) -> bool:
        given = request.query.get("token", "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def _status(self, request):
        from aiohttp import web

        if not self._authorised(request):
            self.counts["refused_token"] += 1
            raise web.HTTPForbidden(text="bad or missing session token")
        return web.json_response(self.status())

    def status(self) -> dict:
        """The session's figures: steps and real time, clients and their frames, what was
        refused or dropped, CPU seconds of the server and its render processes."""
        session, wall = self.session, time.perf_counter() - self._started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        render_cpu = sum(r.cpu_seconds for r in self._renderers)
        rt = session.realtime
        return {"steps": session.total_steps, "episode": session.episode, "wall_s": wall,
                "steps_per_s": rt.rate, "target_steps_per_s": 1.0 / session.dt,
                "late_steps": rt.late_steps,
                "participants": {str(i): {"connected": i in self.clients,
                                          "frames": self.frames_sent[i],
                                          "humanoid": d.humanoid}
                                 for i, d in enumerate(session.drivers)},
                **self.counts,
                "server_cpu_s": usage.ru_utime + usage.ru_stime, "render_cpu_s": render_cpu,
                "sim_cpu_s": self.sim.cpu_seconds}

    # -- WebSocket ----------------------------------------------------------------------------
    def _same_origin(self, request) -> bool:
        origin = request.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == request.host

    def _pick_participant(self, request) -> int | None:
        raw = request.query.get("participant")
        if raw is None:
            free = [i for i in range(self.participants) if i not in self.clients]
            return free[0] if free else None
        if not raw.isdigit() or int(raw) >= self.participants:
            return None
        return int(raw) if int(raw) not in self.clients else None

    async def _socket(self, request):
        from aiohttp import WSMsgType, web

        if not self._authorised(request):
            self.counts["refused_token"] += 1
            raise web.HTTPForbidden(text="bad or missing session token")
        if not self._same_origin(request):
            self.counts["refused_origin"] += 1
            raise web.HTTPForbidden(text="cross-origin connection refused")
        participant = self._pick_participant(request)
        if participant is None:
            self.counts["refused_busy"] += 1
            raise web.HTTPConflict(text="no free participant slot (or a bad 'participant')")
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, heartbeat=20.0)
        await ws.prepare(request)
        client = Client(ws, participant)
        self.clients[participant] = client
        self.sim.inbox.put((participant, "join"))
        streamer = asyncio.create_task(self._stream(client))
        try:
            await ws.send_str(json.dumps(self._hello(participant)))
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(client, message.data)
                elif message.type == WSMsgType.ERROR:
                    self.counts["refused_oversized"] += 1
                    break
                else:                     # binary: not part of the protocol
                    self.counts["dropped"] += 1
        except (ConnectionError, asyncio.CancelledError):
            pass                          # the client went away: the finally cleans up
        finally:
            streamer.cancel()
            if self.clients.get(participant) is client:
                del self.clients[participant]
                self.sim.inbox.put((participant, "leave"))
            await ws.close()
        return ws

    def _hello(self, participant: int) -> dict:
        session = self.session
        return {"type": "hello", "participant": participant, "participants": self.participants,
                "humanoid": session.drivers[participant].humanoid, "task": session.task.name,
                "control_dt": session.dt, "keys": list(WEB_KEYS), "host": participant == 0}

    def _receive(self, client: Client, text: str) -> None:
        if not client.admit():
            self.counts["rate_limited"] += 1
            return
        home = self.sim.home
        try:
            what = parse_input(text, client.participant, home.bounds if home else (0, 0, 0, 0))
        except InvalidMessage:
            self.counts["dropped"] += 1
            return
        if what.kind == "ping":
            asyncio.ensure_future(client.ws.send_str(json.dumps({"type": "pong", "t": what.t})))
            return
        self.sim.inbox.put((client.participant, what))

    async def _stream(self, client: Client) -> None:
        loop = asyncio.get_running_loop()
        ws = client.ws
        while not ws.closed:
            await client.fresh.wait()
            client.fresh.clear()
            snap, home = self.sim.latest, self.sim.home
            if snap is None or snap.step == client.last_step:
                continue
            if snap.generation != client.generation:
                await ws.send_str(json.dumps({
                    "type": "map", "generation": home.generation, "bounds": home.bounds,
                    "png": base64.b64encode(home.png).decode()}))
                client.generation = snap.generation
            mine = snap.participants[client.participant]
            try:
                jpeg, seconds = await loop.run_in_executor(
                    self._executor, self._render, client.participant, home, snap, mine["camera"])
            except EmbodiedError as exc:
                print(f"embodied serve: participant {client.participant}: {exc}", file=sys.stderr)
                await ws.close(code=1011, message=b"rendering failed")
                return
            header = {"type": "frame", "step": snap.step, "episode": snap.episode,
                      "seq": mine["seq"], "pose": mine["pose"], "view": mine["view"],
                      "hud": mine["hud"], "agents": snap.agents, "render_ms": seconds * 1e3,
                      "age_ms": (time.perf_counter() - snap.published) * 1e3}
            await ws.send_bytes(pack_frame(header, jpeg))
            self.frames_sent[client.participant] += 1
            client.last_step = snap.step

    def _render(self, participant: int, home: HomeMap, snap: Snapshot, camera: dict):
        renderer = self._renderers[participant]
        renderer.set_model(home.generation, home.model_bytes)
        return renderer.render(snap.poses, camera)

    # -- running ------------------------------------------------------------------------------
    async def serve(self, on_ready=None) -> dict:
        """Serve until the session ends (steps, an error) or :meth:`request_stop`; returns
        the session summary with the server's :meth:`status`. ``on_ready(server)`` runs once
        listening (:attr:`url` is set)."""
        from aiohttp import web

        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._renderers = [FrameRenderer(*self.frame_size, quality=self.quality)
                           for _ in range(self.participants)]
        runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as exc:
                raise EmbodiedError(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); "
                                    "choose another --port (0: any free one)") from None
            port = site._server.sockets[0].getsockname()[1]
            shown = f"[{self.host}]" if ":" in self.host else self.host
            self.url = f"http://{shown}:{port}/?token={self.token}"
            self.sim.start()
            if on_ready is not None:
                on_ready(self)
            await self._stopped.wait()
        finally:
            if self.sim.ident is None:        # never started: release the session here
                self.session.abandon()
            if self.sim.is_alive():
                self.sim.stop(self.sim.stop_reason)
                await asyncio.get_running_loop().run_in_executor(None, self.sim.join, 30.0)
            for client in list(self.clients.values()):
                await client.ws.close(code=1001, message=b"session ended")
            await runner.cleanup()
            for renderer in self._renderers:
                renderer.close()
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self.sim.error is not None:
            raise self.sim.error
        return dict(self.sim.summary or {}, server=self.status())

    def request_stop(self, reason: str = "quit") -> None:
        """Stop the session (thread-safe): the episode ends with ``reason``."""
        self.sim.stop(reason)
        if not self.sim.is_alive():
            self._published()


def run_server(config, participants: int = 1, host: str = "127.0.0.1", port: int = 8000,
               record: str | Path | None = None, steps: int | None = None,
               frame_size: tuple[int, int] = (480, 360), quality: int = 70,
               token: str | None = None, announce=print) -> dict:
    """Serve a session until Ctrl-C / SIGTERM or ``steps`` steps; returns its summary."""
    import signal

    from embodied.hitl.session import TeleopSession

    require_aiohttp()
    check_range("participants", participants, 1, 4, integer=True)
    session = TeleopSession(config, record, participants=participants, controls="held")
    try:
        server = WebServer(session, host, port, token, frame_size, quality, steps)
    except BaseException:
        session.abandon()
        raise

    def ready(s: WebServer) -> None:
        lines = [f"embodied serve: {s.session.task.name}, {participants} participant(s); open",
                 f"  {s.url}"]
        if participants > 1:
            lines.append(f"  (each participant opens it; add &participant=N to choose, 0-{participants - 1})")
        if host not in LOOPBACK:
            lines.append(f"  WARNING: listening on {host}, reachable from the network: anyone "
                         "with this link can join; put it behind a TLS proxy")
        if session.record_path:
            lines.append(f"  recording {session.record_path}")
        announce("\n".join(lines))

    async def main() -> dict:
        loop = asyncio.get_running_loop()
        for sig, reason in ((signal.SIGINT, "interrupted"), (signal.SIGTERM, "interrupted")):
            loop.add_signal_handler(sig, server.request_stop, reason)
        return await server.serve(ready)

    return asyncio.run(main())

