"""Queue names and declarations for one consuming service.

For exchange `motovault.events` and service `fuel_logs`:
- `motovault.events.fuel_logs`: the work queue (quorum), bound to the routing keys handled;
- `motovault.events.fuel_logs.retry.<ms>`: wait queues, one per retry delay, whose messages expire
  back into the work queue (per-queue TTL: per-message TTLs in one queue would wait behind each other).
  Named by their delay, so changing `RETRY_DELAYS_MS` declares new queues instead of colliding
  with the old ones' arguments; an old queue still empties into the work queue;
- `motovault.events.fuel_logs.dead`: the dead-letter queue an operator inspects and replays.
The work queue also dead-letters into `.dead` itself, so quorum queues' delivery limit never drops
a message that keeps crashing its consumer.
"""

from __future__ import annotations

from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

QUORUM = {"x-queue-type": "quorum"}
# Quorum queues dead-letter at most once unless told otherwise.
AT_LEAST_ONCE_DEAD_LETTERING = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
DELIVERY_LIMIT = 10


def work_queue_name(exchange: str, service: str) -> str:
    return f"{exchange}.{service}"


def retry_queue_name(exchange: str, service: str, delay_ms: int) -> str:
    return f"{work_queue_name(exchange, service)}.retry.{delay_ms}"


def dead_queue_name(exchange: str, service: str) -> str:
    return f"{work_queue_name(exchange, service)}.dead"


async def declare_dead_queue(channel: AbstractChannel, exchange: str, service: str) -> AbstractQueue:
    return await channel.declare_queue(dead_queue_name(exchange, service), durable=True, arguments=QUORUM)


async def declare_consumer_topology(
    channel: AbstractChannel,
    exchange: AbstractExchange,
    service: str,
    routing_keys: list[str],
    retry_delays_ms: list[int],
) -> AbstractQueue:
    work = work_queue_name(exchange.name, service)
    await declare_dead_queue(channel, exchange.name, service)
    for delay in retry_delays_ms:
        await channel.declare_queue(
            retry_queue_name(exchange.name, service, delay),
            durable=True,
            arguments={
                **QUORUM,
                **AT_LEAST_ONCE_DEAD_LETTERING,
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": work,
            },
        )
    queue = await channel.declare_queue(
        work,
        durable=True,
        arguments={
            **QUORUM,
            **AT_LEAST_ONCE_DEAD_LETTERING,
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead_queue_name(exchange.name, service),
        },
    )
    for key in routing_keys:
        await queue.bind(exchange, routing_key=key)
    return queue
