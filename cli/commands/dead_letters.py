"""dlq list and dlq redrive: the messages the consumers gave up on (monitor service; operators).

A message a service's consumer failed on maxReceiveCount times waits in its queue's dead-letter
queue. `dlq list` shows them; once the cause is fixed, `dlq redrive` sends them back to their
queue, where the consumer handles each once (a message it had handled is a duplicate there).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from cli.api import Json
from cli.commands import CommandAdder, Context
from cli.exits import OK, ApiError, Unreachable
from cli.render import duration, table


def add_command(command: CommandAdder, common: argparse.ArgumentParser) -> None:
    sub = command(
        "dlq",
        list_dead_letters,
        "list the messages the consumers gave up on (`dlq [list]`) or send them back to their "
        "queue once the cause is fixed (`dlq redrive`); monitor service, operators",
    )
    sub.set_defaults(queue=None)
    actions = sub.add_subparsers(dest="dlq_action", metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="the dead letters, oldest first")
    listing.add_argument("--queue", help="only this consumer queue's (e.g. job-service-events)")
    again = actions.add_parser("redrive", parents=[common], help="send them back to their queue")
    again.set_defaults(handler=redrive)
    again.add_argument("--queue", help="only this consumer queue's (e.g. job-service-events)")


def list_dead_letters(ctx: Context, args: argparse.Namespace) -> int:
    found = _monitor(lambda: ctx.apis.monitor.dead_letters(args.queue))
    ctx.emit(found, lambda: dead_letters_text(found))
    return OK


def redrive(ctx: Context, args: argparse.Namespace) -> int:
    moved = _monitor(lambda: ctx.apis.monitor.redrive(args.queue))

    def text() -> str:
        if not moved.get("total"):
            return "no dead letters to send back"
        lines = [f"{queue}: {n} sent back" for queue, n in sorted(moved["moved"].items()) if n]
        return "\n".join(lines)

    ctx.emit(moved, text)
    return OK


def dead_letters_text(found: Json) -> str:
    queues = table(
        ("QUEUE", "DEAD-LETTER QUEUE", "DEPTH"),
        [[q["queue"], q["dead_letter_queue"], q["depth"]] for q in found.get("queues", [])],
    )
    messages = found.get("messages", [])
    if not messages:
        return f"{queues}\n\nno dead letters"
    rows = [
        [
            m["queue"],
            m["message_id"],
            m.get("detail_type") or "-",
            m.get("receive_count"),
            duration(m.get("age_seconds")),
            m.get("first_error") or "(in the consumer's log)",
        ]
        for m in messages
    ]
    headers = ("QUEUE", "MESSAGE ID", "DETAIL-TYPE", "RECEIVES", "AGE", "FIRST ERROR")
    return f"{queues}\n\n{table(headers, rows)}"


def _monitor(call: Callable[[], Json]) -> Json:
    try:
        return call()
    except (ApiError, Unreachable) as error:
        if isinstance(error, Unreachable):
            error.message += "\n(is the monitor service running?)"
        raise
