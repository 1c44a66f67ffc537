"""POST /api/vehicles/decode-vin against a vPIC stand-in: every answer it may give, never a 500."""

import pytest

from shared.testing.standin import Reply

from .conftest import DECODE_ROUTE, VPIC_FIXTURES

TIGUAN = "3VV3B7AXXNM077525"
ALL_FIXTURES = sorted(p.name for p in VPIC_FIXTURES.glob("*.json"))


async def decode(vehicles, identity, vin, user="auth0|decoder"):
    return await vehicles.post("/api/vehicles/decode-vin", json={"vin": vin}, headers=identity(user))


async def test_decodes_through_vpic_and_caches_the_answer(vehicles, vpic, identity):
    response = await decode(vehicles, identity, TIGUAN.lower())
    assert response.status == 200
    decoded = await response.json()
    assert decoded["source"] == "vpic"
    assert (decoded["year"], decoded["make"], decoded["model"], decoded["trimLevel"]) == (2022, "VOLKSWAGEN", "Tiguan", "SE")
    request = vpic.requests[0]
    assert request.path == f"/api/vehicles/DecodeVinValues/{TIGUAN}" and request.query["format"] == "json"
    again = await (await decode(vehicles, identity, TIGUAN, user="auth0/another")).json()
    assert again == decoded
    assert vpic.calls[DECODE_ROUTE] == 1  # the second answer came from the cache


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
async def test_every_recorded_vpic_answer_decodes_without_error(vehicles, vpic, identity, fixture):
    vpic.routes[DECODE_ROUTE] = Reply.fixture(VPIC_FIXTURES / fixture)
    vin = "1FTMW1T88MFA00001"
    response = await decode(vehicles, identity, vin, user=f"auth0|{fixture}")
    assert response.status == 200, await response.text()
    decoded = await response.json()
    assert decoded["vin"] == vin
    if fixture.startswith("apiverve"):
        # Another API's wrapper, not a vPIC envelope: vPIC's answer is unusable, so offline.
        assert decoded["source"] == "offline" and decoded["manufacturer"] == "Ford"
    else:
        assert decoded["source"] == "vpic" and decoded["make"]
        assert all(value not in ("", "Not Applicable") for value in decoded.values())


async def test_error_codes_are_warnings(vehicles, vpic, identity):
    vpic.routes[DECODE_ROUTE] = Reply.fixture(VPIC_FIXTURES / "decode_vin_3VW3564650M388202_errorcodes_1_11_14.json")
    decoded = await (await decode(vehicles, identity, "3VW3564650M388202")).json()
    assert decoded["source"] == "vpic"
    assert [w["code"] for w in decoded["warnings"]] == ["1", "11", "14"]
    assert decoded["warnings"][1]["message"].startswith("11 - Incorrect Model Year")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=500, body=b'{"Message": "An error has occurred."}'),
        Reply(status=503, body=b"<html>Service Unavailable</html>", content_type="text/html"),
        Reply.text("{\"Count\": 1, \"Results\": [{\"Make\": "),
        Reply.text("<html><body>maintenance</body></html>", content_type="text/html"),
        Reply(status=200, body=b'{"Results": []}', delay=2.0),  # beyond the 0.5 s timeout of the tests
    ],
    ids=["http-500", "http-503-html", "truncated-json", "html-200", "timeout"],
)
async def test_vpic_trouble_answers_from_the_offline_decoder(vehicles, vpic, identity, reply):
    vpic.routes[DECODE_ROUTE] = reply
    response = await decode(vehicles, identity, "1FTMW1T88MFA00001")
    assert response.status == 200
    decoded = await response.json()
    assert (decoded["source"], decoded["year"], decoded["manufacturer"]) == ("offline", 2021, "Ford")
    assert decoded["warnings"][0]["code"] == "offline"


async def test_an_offline_answer_is_not_cached(vehicles, vpic, identity):
    vpic.routes[DECODE_ROUTE] = Reply(status=500)
    assert (await (await decode(vehicles, identity, TIGUAN)).json())["source"] == "offline"
    vpic.routes[DECODE_ROUTE] = Reply.fixture(VPIC_FIXTURES / "decode_vin_values_3VV3B7AXXNM077525.json")
    assert (await (await decode(vehicles, identity, TIGUAN)).json())["source"] == "vpic"
    assert vpic.calls[DECODE_ROUTE] == 2


async def test_vpic_unreachable_answers_offline(start_vehicles, identity):
    vehicles = await start_vehicles(vpic_base_url="http://127.0.0.1:1/api")
    decoded = await (await decode(vehicles, identity, "WBA3A5C51CF256987")).json()
    assert (decoded["source"], decoded["year"], decoded["manufacturer"]) == ("offline", 2012, "BMW")
    assert [w["code"] for w in decoded["warnings"]] == ["offline", "check_digit"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "vin"), ({"vin": "1FTMW1T88MFA0000"}, "vin"), ({"vin": "1FTMW1T88MFA0000I"}, "vin"), ({"vin": 17}, "vin")],
)
async def test_a_bad_vin_is_400_and_vpic_is_not_asked(vehicles, vpic, identity, body, field):
    response = await vehicles.post("/api/vehicles/decode-vin", json=body, headers=identity("auth0|bad"))
    assert response.status == 400
    assert field in {d["field"] for d in (await response.json())["details"]}
    assert vpic.calls[DECODE_ROUTE] == 0
