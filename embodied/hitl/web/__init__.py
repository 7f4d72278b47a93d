"""People in the loop from a web browser: ``embodied serve`` runs a session at the task's
control rate and serves a page (shipped in the package, nothing loaded from elsewhere)
that streams each participant's view and takes held keys and map clicks. Several
participants can drive humanoids of one episode; sessions are recorded as the keyboard
viewer's are and replay with ``embodied replay``.

    embodied serve task=social_nav --port 8000
    embodied serve task=social_nav task.config.bystanders=1 --participants 2

Needs the ``serve`` extra (aiohttp): ``pip install 'embodied[serve]'``.
"""

from embodied.hitl.web.protocol import MAX_MESSAGE_BYTES, InvalidMessage, parse_input
from embodied.hitl.web.server import WebServer, require_aiohttp, run_server

__all__ = ["MAX_MESSAGE_BYTES", "InvalidMessage", "parse_input", "WebServer", "require_aiohttp",
           "run_server"]
