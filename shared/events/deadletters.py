"""List and replay a service's dead letters.

    python -m shared.events.deadletters list   fuel_logs [--limit 20]
    python -m shared.events.deadletters replay fuel_logs [--limit 100] [--event-id ID]

Reads `<SERVICE>_AMQP_URL` and `<SERVICE>_EVENTS_EXCHANGE` like the service itself. Replay
sends each message back to the service's work queue with its attempt count reset; a message
that fails again returns to the dead-letter queue, and one run never replays it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass

import aio_pika

from .consumer import ATTEMPTS_HEADER, ERROR_HEADER, ROUTING_KEY_HEADER
from .topology import dead_queue_name, declare_dead_queue, work_queue_name

REPLAYED_HEADER = "x-replayed"


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    routing_key: str | None
    attempts: int
    error: str | None
    body: bytes


def _describe(message: aio_pika.abc.AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    return DeadLetter(
        message_id=message.message_id,
        routing_key=headers.get(ROUTING_KEY_HEADER) or message.routing_key,
        attempts=int(headers.get(ATTEMPTS_HEADER, 0)),
        error=headers.get(ERROR_HEADER),
        body=message.body,
    )


async def list_dead_letters(amqp_url: str, exchange: str, service: str, limit: int = 100) -> list[DeadLetter]:
    """Peek without removing: the messages are fetched unacknowledged and returned on close."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await declare_dead_queue(channel, exchange, service)
        letters = []
        for _ in range(limit):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            letters.append(_describe(message))
        return letters
    finally:
        await connection.close()


async def replay_dead_letters(
    amqp_url: str, exchange: str, service: str, limit: int | None = None, event_id: str | None = None
) -> int:
    """Move dead letters back to the work queue; return how many were replayed."""
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = await declare_dead_queue(channel, exchange, service)
        # Only what is there now: a replayed message that fails again must not loop in this run.
        skipped = []
        for _ in range(queue.declaration_result.message_count):
            if limit is not None and replayed >= limit:
                break
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            if event_id is not None and message.message_id != event_id:
                skipped.append(message)
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if k not in (ATTEMPTS_HEADER, ERROR_HEADER)}
            headers[REPLAYED_HEADER] = int(headers.get(REPLAYED_HEADER, 0)) + 1
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    type=message.type,
                ),
                routing_key=work_queue_name(exchange, service),
            )
            await message.ack()
            replayed += 1
        for message in skipped:
            await message.nack(requeue=True)
        return replayed
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.events.deadletters", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("service", help="the consuming service, e.g. fuel_logs")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--event-id", default=None, help="replay only this event")
    args = parser.parse_args(argv)
    prefix = args.service.upper() + "_"
    amqp_url = os.environ.get(prefix + "AMQP_URL")
    if not amqp_url:
        print(f"{prefix}AMQP_URL is required but not set", file=sys.stderr)
        return 2
    exchange = os.environ.get(prefix + "EVENTS_EXCHANGE", "motovault.events")
    if args.command == "list":
        letters = asyncio.run(list_dead_letters(amqp_url, exchange, args.service, args.limit or 100))
        for letter in letters:
            print(f"{letter.message_id}\t{letter.routing_key}\tattempts={letter.attempts}\t{letter.error}")
            print(f"    {letter.body[:500].decode(errors='replace')}")
        print(f"{len(letters)} dead letter(s) in {dead_queue_name(exchange, args.service)}")
    else:
        count = asyncio.run(replay_dead_letters(amqp_url, exchange, args.service, args.limit, args.event_id))
        print(f"replayed {count} message(s) to {work_queue_name(exchange, args.service)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
