"""llama.cpp's OpenAI-compatible server on loopback, for a local model (tests, the demo,
evaluation on one machine): started, waited for, and stopped.

    with LocalServer(fetch_model("qwen2.5-coder-1.5b")) as base_url:
        backend = {"kind": "openai", "base_url": base_url}

It binds 127.0.0.1 only and is killed on exit (also when the caller fails).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from embodied.errors import ConfigError, EmbodiedError


def _die_with_parent() -> None:
    """In the child before exec (Linux): end when the process that started it ends, even
    if that one is killed before it can stop the server."""
    import ctypes
    import signal

    with contextlib.suppress(OSError):      # no such libc: the server is stopped on exit only
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """``python -m llama_cpp.server`` for ``model_path`` (see the module docs).

    Args:
        model_path: a GGUF file.
        threads: CPU threads for the model (default: every core).
        n_ctx: context length.
        timeout: seconds to wait for it to answer.
    """

    def __init__(self, model_path: str | os.PathLike, threads: int | None = None,
                 n_ctx: int = 8192, timeout: float = 120.0, port: int | None = None):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise ConfigError("model_path", str(self.model_path), reason="no such file")
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError:
            raise EmbodiedError("a local model server needs llama-cpp-python with its server: "
                                "pip install 'embodied[llm-local]'") from None
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.threads, self.n_ctx, self.timeout = threads or os.cpu_count() or 1, n_ctx, timeout
        self.process = None
        self.log = None

    def __enter__(self) -> str:
        import tempfile

        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path),
             "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
             "--n_threads", str(self.threads)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"llama.cpp's server exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2):
                    return self.base_url
            except OSError:
                time.sleep(0.3)
        self._fail(f"llama.cpp's server did not answer within {self.timeout:.0f} s")

    def _fail(self, message: str):
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace")[-1500:]
        self.__exit__()
        raise EmbodiedError(f"{message}:\n{tail}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()
            self.log = None
