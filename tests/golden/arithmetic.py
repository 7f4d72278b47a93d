"""The arithmetic environment golden trajectories are recorded and checked in (no NumPy
import here: it must be set before NumPy is imported)."""

from __future__ import annotations

import os
import platform
import sys

#: Environment that makes floating-point results the same on every x86-64 machine with
#: AVX2: NumPy's kernels dispatched at run time differ in their last bits between AVX2
#: and AVX-512 machines (its AVX-512 transcendental functions are other code), and so
#: do OpenBLAS's and llvmpipe's. Set before NumPy is imported (``tests/conftest.py``
#: does it for the test suite; the command line re-runs itself with it).
PINNED_ARITHMETIC = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
                     "OPENBLAS_CORETYPE": "Haswell", "LP_NATIVE_VECTOR_WIDTH": "256",
                     # llvmpipe's code generation without AVX-512 (the same images here)
                     "GALLIUM_OVERRIDE_CPU_CAPS": "avx"}


def arithmetic_environment() -> dict[str, str]:
    """:data:`PINNED_ARITHMETIC` on x86-64 (other machines have no such kernels to pin)."""
    return dict(PINNED_ARITHMETIC) if platform.machine().lower() in ("x86_64", "amd64") else {}


def pin_arithmetic() -> None:
    """Re-run this process (the same command) with :func:`arithmetic_environment` unless
    it already has it."""
    wanted = arithmetic_environment()
    if any(os.environ.get(k) != v for k, v in wanted.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **wanted})


def arithmetic_is_pinned() -> bool:
    """Whether NumPy runs with :func:`arithmetic_environment` (no AVX-512 kernels)."""
    from numpy._core._multiarray_umath import __cpu_features__

    env = arithmetic_environment()
    return all(os.environ.get(k) == v for k, v in env.items()) and not (
        env and __cpu_features__.get("X86_V4"))
