"""HTTP handlers of the notifications service: parse the request, call one use case, answer.

Everything is under /api/notifications. The calendar feed is the one route without identity:
calendar apps cannot send a bearer token, so its secret URL is the check (revocable).
"""

from __future__ import annotations

from aiohttp import web

from shared.db import POOL
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented, links_by_new_id
from shared.http.paging import page_query, paged_response
from shared.http.validation import parse_body, parse_query, path_uuid
from shared.paging import Page

from . import use_cases
from .domain.inputs import (
    ChannelBody, ChannelUpdate, DeliveriesQuery, FeedQuery, PreferencesInput, SubscriptionInput,
)
from .domain.lists import CHANNEL_ORDER, DEFAULT_DELIVERIES, DELIVERY_ORDER
from .domain.views import channel_view, delivery_view, preferences_view
from .outbound import resolve_and_check
from .subscriber_bindings import SUBSCRIBER_BINDINGS
from .worker import WORKER

routes = web.RouteTableDef()
FEED_PREFIX = "/api/notifications/calendar/feed/"
# The token travels in the query, which access logs (here and at the edge) leave out.
FEED_PATH = FEED_PREFIX + "motovault.ics"


def _url_check(request: web.Request):
    allowed = request.app[SETTINGS].allowed_networks
    return lambda url: resolve_and_check(url, allowed)


def _wake(request: web.Request):
    return request.app[WORKER].wake


# --- preferences and calendar -------------------------------------------------------------------


@routes.get("/api/notifications/preferences")
async def get_preferences(request: web.Request) -> web.Response:
    row = await use_cases.get_preferences(request.app[POOL], current_user(request))
    return json_response(preferences_view(row))


@routes.put("/api/notifications/preferences")
@documented(summary="Set lead time, quiet hours and time zone", body=PreferencesInput)
async def update_preferences(request: web.Request) -> web.Response:
    body = await parse_body(request, PreferencesInput)
    row = await use_cases.update_preferences(request.app[POOL], current_user(request), body)
    return json_response(preferences_view(row))


@routes.post("/api/notifications/calendar")
@documented(summary="Create (or replace) the secret URL of the calendar feed; shown once")
async def new_calendar_url(request: web.Request) -> web.Response:
    token = await use_cases.new_calendar_token(request.app[POOL], current_user(request))
    base = request.app[SETTINGS].public_base_url.rstrip("/")
    return json_response({"url": f"{base}{FEED_PATH}?token={token}"}, status=201)


@routes.delete("/api/notifications/calendar")
async def revoke_calendar_url(request: web.Request) -> web.Response:
    await use_cases.revoke_calendar_token(request.app[POOL], current_user(request))
    return web.Response(status=204)


@routes.get(FEED_PATH)
@documented(summary="The calendar feed (iCalendar), by its secret URL; no identity", query=FeedQuery)
async def calendar_feed(request: web.Request) -> web.Response:
    query = parse_query(request, FeedQuery)
    body = await use_cases.calendar_feed(request.app[POOL], query.token)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, max-age=900"})


# --- channels -----------------------------------------------------------------------------------


@routes.get("/api/notifications/channels")
@documented(summary="Your channels, in the order they were added", paged=True)
async def list_channels(request: web.Request) -> web.Response:
    page = page_query(request, CHANNEL_ORDER)
    channels = await use_cases.list_channels(request.app[POOL], current_user(request), page=page)
    return paged_response(request, [channel_view(row) for row in channels.items], channels, CHANNEL_ORDER)


# What a new channel's, subscription's or delivery's id opens (OpenAPI links).
CHANNEL_LINKS = links_by_new_id(GetChannel="notifications.get_channel", UpdateChannel="notifications.update_channel",
                                DeleteChannel="notifications.delete_channel", TestChannel="notifications.test_channel")
SUBSCRIPTION_LINKS = links_by_new_id(UpdateSubscription="notifications.update_subscription",
                                     DeleteSubscription="notifications.delete_subscription")
DELIVERY_LINKS = links_by_new_id(ReplayDelivery="notifications.replay_delivery")


@routes.post("/api/notifications/channels")
@documented(summary="Add a channel: email, ntfy or webhook", body=ChannelBody, links={201: CHANNEL_LINKS})
async def create_channel(request: web.Request) -> web.Response:
    body = await parse_body(request, ChannelBody)
    row = await use_cases.create_channel(request.app[POOL], current_user(request), body.root, _url_check(request))
    return json_response(channel_view(row), status=201)


@routes.get("/api/notifications/channels/{id}")
async def get_channel(request: web.Request) -> web.Response:
    row = await use_cases.get_channel(request.app[POOL], current_user(request), path_uuid(request, "id", "Channel"))
    return json_response(channel_view(row))


@routes.put("/api/notifications/channels/{id}")
@documented(summary="Turn a channel off or on (on resumes a paused channel), rename it", body=ChannelUpdate)
async def update_channel(request: web.Request) -> web.Response:
    channel_id = path_uuid(request, "id", "Channel")
    body = await parse_body(request, ChannelUpdate)
    row = await use_cases.update_channel(request.app[POOL], current_user(request), channel_id, body, _wake(request))
    return json_response(channel_view(row))


@routes.delete("/api/notifications/channels/{id}")
async def delete_channel(request: web.Request) -> web.Response:
    await use_cases.delete_channel(request.app[POOL], current_user(request), path_uuid(request, "id", "Channel"))
    return web.Response(status=204)


@routes.post("/api/notifications/channels/{id}/test")
@documented(summary="Send a test notification over the channel; follow it in the delivery log",
            responses={202: "The delivery, queued"}, links={202: DELIVERY_LINKS})
async def test_channel(request: web.Request) -> web.Response:
    channel_id = path_uuid(request, "id", "Channel")
    row = await use_cases.send_test(request.app[POOL], current_user(request), channel_id, _wake(request))
    return json_response(delivery_view(row), status=202)


# --- webhook subscriptions ----------------------------------------------------------------------


@routes.get("/api/notifications/subscriptions")
@documented(summary="Your webhook subscriptions, in the order they were added", paged=True)
async def list_subscriptions(request: web.Request) -> web.Response:
    page = page_query(request, CHANNEL_ORDER)
    subscriptions = await use_cases.list_channels(request.app[POOL], current_user(request), subscriptions=True,
                                                  page=page)
    return paged_response(request, [channel_view(row) for row in subscriptions.items], subscriptions, CHANNEL_ORDER)


@routes.post("/api/notifications/subscriptions")
@documented(summary="Subscribe a URL to event types (Standard Webhooks signatures)", body=SubscriptionInput,
            links={201: SUBSCRIPTION_LINKS},
            responses={503: "The event broker is away and the subscription names fill-ups or maintenance "
                            "records, whose binding must exist before it is stored; try again"})
async def create_subscription(request: web.Request) -> web.Response:
    body = await parse_body(request, SubscriptionInput)
    row = await use_cases.create_subscription(request.app[POOL], request.app[SUBSCRIBER_BINDINGS],
                                              current_user(request), body, _url_check(request))
    return json_response(channel_view(row), status=201)


@routes.put("/api/notifications/subscriptions/{id}")
@documented(summary="Turn a subscription off or on (on resumes a paused one)", body=ChannelUpdate)
async def update_subscription(request: web.Request) -> web.Response:
    subscription_id = path_uuid(request, "id", "Subscription")
    body = await parse_body(request, ChannelUpdate)
    row = await use_cases.update_channel(request.app[POOL], current_user(request), subscription_id, body,
                                         _wake(request), subscriptions=True)
    return json_response(channel_view(row))


@routes.delete("/api/notifications/subscriptions/{id}")
async def delete_subscription(request: web.Request) -> web.Response:
    subscription_id = path_uuid(request, "id", "Subscription")
    await use_cases.delete_subscription(request.app[POOL], request.app[SUBSCRIBER_BINDINGS], current_user(request),
                                        subscription_id)
    return web.Response(status=204)


# --- delivery log -------------------------------------------------------------------------------


@routes.get("/api/notifications/deliveries")
@documented(summary="The delivery log, newest first (without limit: the newest 50)", query=DeliveriesQuery,
            paged=True)
async def list_deliveries(request: web.Request) -> web.Response:
    query = parse_query(request, DeliveriesQuery)
    page = page_query(request, DELIVERY_ORDER)
    deliveries = await use_cases.list_deliveries(
        request.app[POOL], current_user(request), query.status, page or Page(DEFAULT_DELIVERIES))
    views = [delivery_view(row) for row in deliveries.items]
    if page is None:
        return json_response(views)  # the newest 50 and no Link, as before paging
    return paged_response(request, views, deliveries, DELIVERY_ORDER)


@routes.post("/api/notifications/deliveries/{id}/replay")
@documented(summary="Send a logged delivery again, as it was", responses={202: "The delivery, queued again"})
async def replay_delivery(request: web.Request) -> web.Response:
    delivery_id = path_uuid(request, "id", "Delivery")
    row = await use_cases.replay_delivery(request.app[POOL], current_user(request), delivery_id, _wake(request))
    return json_response(delivery_view(row), status=202)
