"""Browser sessions in a real browser: headless system Chromium (Debian's ``chromium``)
driven by Playwright opens the page served by ``embodied serve``, holds keys, closes tabs;
the recordings replay exactly. Skipped without Chromium or Playwright (``.ci/run``
installs both)."""

import math
import time

import pytest

from embodied.hitl.recording import read_recording
from embodied.hitl.replay import replay
from embodied.hitl.web.harness import (ServerProcess, chromium, chromium_path, hold_key,
                                       open_participant, page_state)

pytest.importorskip("aiohttp")
pytest.importorskip("playwright")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    chromium_path() is None, reason="needs Chromium (apt-get install chromium)")]


def _moved(a, b) -> float:
    return math.dist(a[:2], b[:2])


def test_holding_w_walks_release_stops_and_the_recording_replays(tmp_path):
    record = tmp_path / "browser.jsonl"
    with ServerProcess(["task=social_nav", "seed=0"], record=record) as server, chromium() as browser:
        page = open_participant(browser, server.url)
        before = page_state(page)
        assert before["connected"] and before["humanoid"] == "human0"
        hold_key(page, "w", 1.0)
        time.sleep(0.4)
        walked = page_state(page)
        time.sleep(0.8)
        after = page_state(page)
        # malformed input through the page's own connection: dropped, the stream goes on
        for text in ("{", '{"type": "key", "key": "F13", "down": true}', '{"type": "jump"}'):
            assert page.evaluate("(t) => window.embodied.sendRaw(t)", text)
        time.sleep(0.5)
        frames = page_state(page)["frames"]
        time.sleep(0.5)
        status = server.status()
        assert page_state(page)["frames"] > frames and status["dropped"] == 3
        output = server.stop()
    assert _moved(walked["pose"], before["pose"]) > 0.3          # held W: it walked
    assert _moved(after["pose"], walked["pose"]) < 0.05          # released: it stands
    assert walked["latencies"] and max(walked["latencies"]) < 1000    # key to motion on screen
    assert walked["frames"] > before["frames"] + 5
    assert "(interrupted)" in output
    rec = read_recording(record)
    assert any(step["h"][0][0] > 0 for step in rec.episodes[0].steps)
    assert replay(record)["identical"]


def test_two_browsers_drive_two_humanoids_and_a_closed_tab_leaves_its_humanoid_waiting(tmp_path):
    record = tmp_path / "two.jsonl"
    options = ["task=social_nav", "seed=0", "task.config.bystanders=1"]
    with ServerProcess(options, participants=2, record=record) as server, chromium() as browser:
        first = open_participant(browser, server.url, participant=0)
        second = open_participant(browser, server.url, participant=1)
        assert page_state(second)["humanoid"] == "bystander0"
        start = page_state(first)["agents"]
        hold_key(second, "w", 1.0)
        time.sleep(0.4)
        seen = page_state(first)["agents"]                       # the first page sees it too
        assert _moved(seen["bystander0"], start["bystander0"]) > 0.3
        assert _moved(seen["human0"], start["human0"]) < 0.05
        second.keyboard.down("a")                                 # turning, then the tab closes
        time.sleep(0.3)
        second.close()
        time.sleep(0.6)
        left = page_state(first)["agents"]["bystander0"]
        time.sleep(1.0)
        waiting = page_state(first)["agents"]["bystander0"]
        assert abs(waiting[2] - left[2]) < 0.02 and _moved(waiting, left) < 0.05
        status = server.status()
        assert not status["participants"]["1"]["connected"] and status["participants"]["0"]["connected"]
        server.stop()
    rec = read_recording(record)
    assert rec.header["driven"] == ["human0", "bystander0"]
    assert replay(record)["identical"]


def test_a_page_with_a_wrong_token_is_refused(tmp_path):
    with ServerProcess(["task=social_nav", "seed=0"]) as server, chromium() as browser:
        page = open_participant(browser, server.base + "/?token=not-the-session-token")
        state = page_state(page)
        assert state["closed"] and state["error"] == "refused" and state["frames"] == 0
        assert "Could not join" in page.inner_text("#status")
        assert server.status()["refused_token"] == 1
