"""A delivery as the consumer takes it from aiormq, the AMQP client under aio-pika.

aio-pika wraps each delivery in an IncomingMessage (a dozen attribute writes through a checking
`__setattr__`) and runs the callback in a task of its own: a third of the CPU a consumed message
cost the consumer. This keeps aiormq's delivery as it is and reads the few fields the consumer
uses from it.
"""

from __future__ import annotations

from typing import Any

from aiormq.abc import AbstractChannel, DeliveredMessage


class Incoming:
    __slots__ = ("body", "delivery_tag", "routing_key", "channel", "_properties")

    def __init__(self, delivered: DeliveredMessage) -> None:
        self.body: bytes = delivered.body
        self.delivery_tag: int = delivered.delivery.delivery_tag
        self.routing_key: str = delivered.delivery.routing_key
        self.channel: AbstractChannel = delivered.channel
        self._properties = delivered.header.properties

    # Properties, not fields copied here: only a retry or a dead-lettering reads them.

    @property
    def headers(self) -> dict[str, Any]:
        return self._properties.headers or {}

    @property
    def message_id(self) -> str | None:
        return self._properties.message_id

    @property
    def correlation_id(self) -> str | None:
        return self._properties.correlation_id

    @property
    def content_type(self) -> str | None:
        return self._properties.content_type

    @property
    def type(self) -> str | None:
        return self._properties.message_type

    async def ack(self, multiple: bool = False) -> None:
        await self.channel.basic_ack(self.delivery_tag, multiple=multiple)
