#!/usr/bin/env bash
# Check the system libraries embodied needs and print the exact command to install what
# is missing. Headless rendering uses EGL through Mesa; window tests need Xvfb + xdotool.
#   check_system.sh            -> rendering libraries (required)
#   check_system.sh --window   -> also Xvfb and xdotool
set -uo pipefail
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libEGL.so.1' || missing+=(libegl1)
have_lib 'libEGL_mesa.so.0' || missing+=(libegl-mesa0)
have_lib 'libGL.so.1' || missing+=(libgl1)
have_lib 'libgbm.so.1' || missing+=(libgbm1)
[ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so ] || [ -e /usr/lib/aarch64-linux-gnu/dri/swrast_dri.so ] \
  || ls /usr/lib/*/dri/*swrast* >/dev/null 2>&1 || missing+=(libgl1-mesa-dri)
if [ "${1:-}" = "--window" ]; then
  command -v Xvfb >/dev/null || missing+=(xvfb)
  command -v xdotool >/dev/null || missing+=(xdotool)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing system packages for rendering: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
