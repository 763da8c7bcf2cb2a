"""``rnnlab lessons``: the lessons that ship with rnnlab, each with its name, title and file."""

from __future__ import annotations

import argparse
import json


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lessons",
        help="list the built-in lessons",
        description="List the lessons that ship with rnnlab (the window's Lessons menu): "
        "name, title and the TOML file, which can be copied and edited.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.builtin_lessons import builtin_lessons

    lessons = builtin_lessons()
    if args.json:
        print(json.dumps({"lessons": [lesson.to_dict() for lesson in lessons]}))
        return 0
    width = max(len(lesson.name) for lesson in lessons)
    for lesson in lessons:
        print(f"{lesson.name:<{width}}  {lesson.title}")
    return 0
