"""Paging through the edge, with the real services behind it: the relative Link a service
answers is usable as it is by the edge's client, and the edge's response cache never answers a
page from the whole list's entry (or a page without its Link)."""

from __future__ import annotations

from shared.testing.paging import walk

from test_edge_cache_flow import log_in, start_suite


async def test_a_client_of_the_edge_walks_the_vehicle_list_by_its_links(backed_settings, serve, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, infra, tmp_path)
    alice = await log_in(edge, "alice")
    for i in range(5):
        created = await edge.post("/api/vehicles", json={"licensePlate": f"EDGE-{i}"}, headers=alice)
        assert created.status == 201, await created.text()
    whole = await edge.get("/api/vehicles", headers=alice)
    again = await edge.get("/api/vehicles", headers=alice)
    assert again.headers["X-Edge-Cache"] == "hit" and "Link" not in again.headers  # the whole list, kept
    whole = await whole.json()

    for _ in range(2):  # the second walk meets no page kept by the cache either
        pages = await walk(edge, "/api/vehicles?limit=2", alice)
        assert [len(page) for page in pages] == [2, 2, 1]
        assert [v for page in pages for v in page] == whole
    first = await edge.get("/api/vehicles?limit=2", headers=alice)
    assert first.headers["X-Edge-Cache"] == "miss" and first.headers["Link"].startswith("</api/vehicles?limit=2&cursor=")
