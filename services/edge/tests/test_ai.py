"""POST /api/ai/generate against an Anthropic stand-in answering with real bodies."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from shared.testing.standin import Reply

FIXTURES = Path(__file__).parent / "fixtures" / "anthropic"


async def ai_edge(edge, standin, responder, **overrides):
    sent: list[dict] = []

    async def messages(request: web.Request) -> web.StreamResponse:
        sent.append({"body": await request.json(), "headers": request.headers.copy()})
        if isinstance(responder, Reply):
            if responder.delay:
                import asyncio
                await asyncio.sleep(responder.delay)
            return web.Response(status=responder.status, body=responder.body,
                                headers={"Content-Type": responder.content_type, **responder.headers})
        return await responder(request)

    anthropic = await standin({"/v1/messages": messages})
    values = dict(anthropic_base_url=anthropic.url, anthropic_api_key="sk-ant-test", ai_max_tokens=500,
                  anthropic_model="claude-test")
    values.update(overrides)
    client, _ = await edge(**values)
    return client, sent


def auth(issuer, sub="auth0|alice"):
    return {"Authorization": f"Bearer {issuer.token(sub=sub)}"}


async def test_plain_answer_with_server_side_key_and_capped_tokens(edge, standin, issuer, caplog):
    client, sent = await ai_edge(edge, standin, Reply.fixture(FIXTURES / "messages_ok.json"))
    response = await client.post("/api/ai/generate", headers=auth(issuer),
                                 json={"prompt": "secret prompt text", "system": "Be brief", "maxTokens": 5000})
    assert response.status == 200
    assert await response.json() == json.loads((FIXTURES / "messages_ok.json").read_bytes())
    [call] = sent
    assert call["headers"]["x-api-key"] == "sk-ant-test" and call["headers"]["anthropic-version"] == "2023-06-01"
    assert call["body"] == {"model": "claude-test", "max_tokens": 500, "system": "Be brief",
                            "messages": [{"role": "user", "content": "secret prompt text"}]}
    assert "secret prompt text" not in caplog.text


async def test_streamed_answer_is_relayed_as_it_arrives(edge, standin, issuer):
    stream = (FIXTURES / "messages_stream.txt").read_bytes()

    async def sse(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in stream.split(b"\n\n"):
            await response.write(event + b"\n\n")
        return response

    client, sent = await ai_edge(edge, standin, sse)
    response = await client.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "hi", "stream": True})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    first = await response.content.readuntil(b"\n\n")
    assert first.startswith(b"event: message_start")
    rest = await response.read()
    assert first + rest == b"".join(event + b"\n\n" for event in stream.split(b"\n\n"))
    assert sent[0]["body"]["stream"] is True


async def test_upstream_errors_are_mapped(edge, standin, issuer):
    limited = Reply.fixture(FIXTURES / "error_429_rate_limit.json", status=429)
    limited.headers = {"retry-after": "17"}
    client, _ = await ai_edge(edge, standin, limited)
    response = await client.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "hi"})
    assert response.status == 429 and response.headers["Retry-After"] == "17"

    overloaded, _ = await ai_edge(edge, standin, Reply.fixture(FIXTURES / "error_529_overloaded.json", status=529))
    assert (await overloaded.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "hi"})).status == 503

    slow, _ = await ai_edge(edge, standin, Reply(body=b"{}", delay=2), ai_timeout=0.3)
    assert (await slow.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "hi"})).status == 504


async def test_body_is_validated_and_the_strict_limit_applies(edge, standin, issuer):
    client, sent = await ai_edge(edge, standin, Reply.fixture(FIXTURES / "messages_ok.json"), rate_limit_ai="2/hour")
    invalid = await client.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "", "maxTokens": 0})
    assert invalid.status == 400
    statuses = [(await client.post("/api/ai/generate", headers=auth(issuer), json={"prompt": "hi"})).status
                for _ in range(2)]
    assert statuses == [200, 429]  # the invalid request used the first slot
    assert (await client.get("/api/vehicles", headers=auth(issuer))).status == 200  # other routes unaffected
    assert (await client.post("/api/ai/generate", headers=auth(issuer, "auth0|bob"), json={"prompt": "hi"})).status == 200
    assert len(sent) == 2


async def test_a_bad_body_is_a_400_even_when_ai_is_not_configured(edge, issuer):
    client, _ = await edge(anthropic_api_key=None)
    bad = await client.post("/api/ai/generate", json={"prompt": ""}, headers=auth(issuer))
    assert bad.status == 400
    assert (await bad.json())["details"][0]["field"] == "prompt"
    good = await client.post("/api/ai/generate", json={"prompt": "When is my next oil change?"}, headers=auth(issuer))
    assert good.status == 503
    assert (await good.json())["message"] == "AI generation is not configured"
