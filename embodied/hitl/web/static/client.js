// The browser participant of an `embodied serve` session: shows the frames the server
// streams, sends key presses and releases and map clicks. No external resources.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const KEYS = { w: "w", a: "a", s: "s", d: "d", " ": "space", c: "c", h: "h", r: "r", n: "n" };
  const WALKING = new Set(["w", "a", "s", "d"]);
  const view = document.getElementById("view");
  const viewCtx = view.getContext("2d");
  const mapCanvas = document.getElementById("map");
  const mapCtx = mapCanvas.getContext("2d");
  const hud = document.getElementById("hud");
  const statusLine = document.getElementById("status");

  // What tests and the benchmark read: connection, frames, latencies (ms).
  const state = window.embodied = {
    connected: false, closed: false, error: null, participant: null, humanoid: null,
    frames: 0, step: -1, pose: null, seq: 0, hud: [], agents: {},
    latencies: [], acks: [], rtt: null, sent: 0,
  };

  let ws = null;
  let seq = 0;
  const held = new Set();
  let marks = [];               // key presses waiting to show on screen
  let home = null;              // {image, bounds}
  let latest = null;            // newest frame not drawn yet
  let drawing = false;

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  // for tests of the server's input checks: send any text as it is
  state.sendRaw = (text) => ws && ws.readyState === WebSocket.OPEN && (ws.send(text), true);

  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    state.sent += 1;
    return true;
  }

  function connect() {
    const query = new URLSearchParams({ token: params.get("token") || "" });
    if (params.has("participant")) query.set("participant", params.get("participant"));
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      if (typeof event.data === "string") onText(JSON.parse(event.data));
      else onFrame(event.data);
    };
    ws.onclose = (event) => {
      state.connected = false;
      state.closed = true;
      if (state.participant === null) {
        state.error = "refused";
        setStatus("Could not join: the link's token is wrong, or every participant slot is taken.", true);
      } else {
        setStatus(`Session ended (${event.reason || "connection closed"}).`, true);
      }
    };
  }

  function onText(message) {
    if (message.type === "hello") {
      state.connected = true;
      state.participant = message.participant;
      state.humanoid = message.humanoid;
      setStatus(`${message.task}: participant ${message.participant} of ${message.participants}, ` +
                `you drive ${message.humanoid}.`);
      setInterval(() => send({ type: "ping", t: performance.now() }), 2000);
    } else if (message.type === "map") {
      const image = new Image();
      image.onload = () => { home = { image, bounds: message.bounds }; drawMap(); };
      image.src = "data:image/png;base64," + message.png;
    } else if (message.type === "pong") {
      state.rtt = performance.now() - message.t;
    }
  }

  function onFrame(buffer) {
    const length = new DataView(buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    latest = { header, jpeg: new Blob([new Uint8Array(buffer, 4 + length)], { type: "image/jpeg" }) };
    if (!drawing) drawLatest();
  }

  async function drawLatest() {
    drawing = true;
    while (latest) {
      const { header, jpeg } = latest;
      latest = null;
      const bitmap = await createImageBitmap(jpeg);
      if (view.width !== bitmap.width) { view.width = bitmap.width; view.height = bitmap.height; }
      viewCtx.drawImage(bitmap, 0, 0);
      bitmap.close();
      shown(header, performance.now());
    }
    drawing = false;
  }

  function shown(header, now) {
    state.frames += 1;
    state.step = header.step;
    state.pose = header.pose;
    state.seq = header.seq;
    state.hud = header.hud;
    state.agents = header.agents;
    hud.textContent = header.hud.map(([label, value]) => (label ? label.padEnd(18) : "") + value).join("\n");
    const kept = [];
    for (const mark of marks) {
      if (!mark.acked && header.seq >= mark.seq) { state.acks.push(now - mark.t); mark.acked = true; }
      const moved = mark.pose && Math.hypot(header.pose[0] - mark.pose[0], header.pose[1] - mark.pose[1]);
      if (moved > 0.01) state.latencies.push(now - mark.t);
      else if (now - mark.t < 3000) kept.push(mark);
    }
    marks = kept;
    drawMap();
  }

  // -- the map: the home's navigable floor, the agents, click to walk -------------------------
  function mapScale() {
    const [x0, y0, x1, y1] = home.bounds;
    const s = Math.min(mapCanvas.width / (x1 - x0), mapCanvas.height / (y1 - y0));
    return { s, x0, y1 };
  }

  function drawMap() {
    if (!home) return;
    const { s, x0, y1 } = mapScale();
    const [bx0, by0, bx1, by1] = home.bounds;
    mapCtx.fillStyle = "#333";
    mapCtx.fillRect(0, 0, mapCanvas.width, mapCanvas.height);
    mapCtx.imageSmoothingEnabled = false;
    mapCtx.drawImage(home.image, 0, 0, (bx1 - bx0) * s, (by1 - by0) * s);
    for (const [name, pose] of Object.entries(state.agents)) {
      const u = (pose[0] - x0) * s, v = (y1 - pose[1]) * s;
      mapCtx.fillStyle = name === state.humanoid ? "#2e7dff" : (name.startsWith("robot") ? "#e53935" : "#43a047");
      mapCtx.beginPath();
      mapCtx.arc(u, v, name === state.humanoid ? 5 : 4, 0, 2 * Math.PI);
      mapCtx.fill();
      mapCtx.strokeStyle = "#fff";
      mapCtx.beginPath();
      mapCtx.moveTo(u, v);
      mapCtx.lineTo(u + 8 * Math.cos(pose[2]), v - 8 * Math.sin(pose[2]));
      mapCtx.stroke();
    }
  }

  mapCanvas.addEventListener("click", (event) => {
    if (!home) return;
    const rect = mapCanvas.getBoundingClientRect();
    const u = (event.clientX - rect.left) * mapCanvas.width / rect.width;
    const v = (event.clientY - rect.top) * mapCanvas.height / rect.height;
    const { s, x0, y1 } = mapScale();
    seq += 1;
    send({ type: "walk_to", x: x0 + u / s, y: y1 - v / s, seq });
    view.focus();
  });

  // -- keys: presses and releases ---------------------------------------------------------------
  function keyName(event) {
    return KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key] || null;
  }

  document.addEventListener("keydown", (event) => {
    const key = keyName(event);
    if (!key || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (event.repeat) return;
    if (WALKING.has(key)) held.add(key);
    seq += 1;
    if (send({ type: "key", key, down: true, seq }) && WALKING.has(key)) {
      marks.push({ t: performance.now(), seq, pose: state.pose, acked: false });
    }
  });

  document.addEventListener("keyup", (event) => {
    const key = keyName(event);
    if (!key) return;
    event.preventDefault();
    held.delete(key);
    seq += 1;
    send({ type: "key", key, down: false, seq });
  });

  // a key held while the page loses focus would never be released: let go of all
  function releaseAll() {
    for (const key of held) { seq += 1; send({ type: "key", key, down: false, seq }); }
    held.clear();
  }
  window.addEventListener("blur", releaseAll);
  document.addEventListener("visibilitychange", () => { if (document.hidden) releaseAll(); });

  connect();
  view.focus();
})();
