"""The ``embodied`` command.

    embodied demo [--seed N] [--split val] [--steps 600] [--out out/demo]
    embodied scene --seed N --split val --out home.png
    embodied avatars --out avatars.png

User mistakes (bad values, missing files, no display) print one line and exit with
status 2; Ctrl-C exits with status 130 after the command has cleaned up.
"""

from __future__ import annotations

import argparse
import sys

from embodied.errors import EmbodiedError


def _add_home_args(parser: argparse.ArgumentParser, default_split: str = "val") -> None:
    parser.add_argument("--seed", type=int, default=0, help="home index within the split")
    parser.add_argument("--split", default=default_split, help="train, val or test")


def _cmd_demo(args) -> int:
    from embodied.demo import run_demo

    summary = run_demo(seed=args.seed, split=args.split, steps=args.steps, out_dir=args.out,
                       width=args.width, height=args.height, video=not args.no_video,
                       progress=not args.quiet)
    print(f"wrote {summary['files']['summary']}" + (
        f" and {summary['files']['video']}" if summary["files"].get("video") else ""))
    return 0


def _cmd_scene(args) -> int:
    from embodied.scenes.overview import render_home_overview

    path = render_home_overview(seed=args.seed, split=args.split, out=args.out,
                                size=args.size)
    print(f"wrote {path}")
    return 0


def _cmd_avatars(args) -> int:
    from embodied.agents.humanoid.gallery import render_gallery

    path = render_gallery(args.out)
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="embodied", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run a demo episode: video + metrics JSON")
    _add_home_args(demo)
    demo.add_argument("--steps", type=int, default=600, help="control steps (30 per second)")
    demo.add_argument("--out", default="out/demo", help="output folder")
    demo.add_argument("--width", type=int, default=640)
    demo.add_argument("--height", type=int, default=480)
    demo.add_argument("--no-video", action="store_true", help="metrics only")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=_cmd_demo)

    scene = sub.add_parser("scene", help="render a generated home: top-down map + perspective")
    _add_home_args(scene)
    scene.add_argument("--out", default="home.png", help="PNG file to write")
    scene.add_argument("--size", type=int, default=720, help="height of each view in pixels")
    scene.set_defaults(func=_cmd_scene)

    avatars = sub.add_parser("avatars", help="render a gallery of the humanoid avatars")
    avatars.add_argument("--out", default="avatars.png", help="PNG file to write")
    avatars.set_defaults(func=_cmd_avatars)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EmbodiedError as exc:
        print(f"embodied: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable output folder, missing input file, ...
        print(f"embodied: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("embodied: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
