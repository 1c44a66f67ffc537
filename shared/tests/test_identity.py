"""The edge's identity assertion: an HS256 JWT signed and verified with the standard library.

joserfc (which the edge keeps for users' RS256 tokens) is the reference: each side reads the
other's tokens. Every way an assertion can be wrong is refused with a 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import orjson
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from shared.http.errors import Unauthorized
from shared.identity import AUDIENCE, ISSUER, IdentitySigner, IdentityVerifier

pytestmark = pytest.mark.pure

SECRET = "a-shared-secret-of-at-least-32-characters"


def good_claims(**changes) -> dict:
    """Claims the verifier accepts, as of now (not of collection time: expiry is checked)."""
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "auth0|alice", "iat": now, "exp": now + 60, **changes}


def without(claim: str) -> dict:
    return {k: v for k, v in good_claims().items() if k != claim}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(claims: dict, header: dict | None = None, secret: str = SECRET, digest=hashlib.sha256) -> str:
    """A token built by hand, to say exactly what is wrong with it."""
    signing_input = f"{b64(orjson.dumps(header or {'alg': 'HS256'}))}.{b64(orjson.dumps(claims))}"
    signature = hmac.digest(secret.encode(), signing_input.encode(), digest)
    return f"{signing_input}.{b64(signature)}"


def refused(token: str) -> bool:
    try:
        IdentityVerifier(SECRET).verify(token)
    except Unauthorized:
        return True
    return False


def test_a_signed_assertion_names_its_user():
    identity = IdentityVerifier(SECRET).verify(IdentitySigner(SECRET).sign("auth0|alice"))
    assert identity.user_id == "auth0|alice"
    assert int(time.time()) + 58 <= identity.expires_at <= int(time.time()) + 60


def test_joserfc_reads_ours_and_we_read_joserfcs():
    key = OctKey.import_key(SECRET)
    ours = jwt.decode(IdentitySigner(SECRET).sign("auth0|bob"), key, algorithms=["HS256"])
    assert (ours.header["alg"], ours.claims["sub"], ours.claims["aud"], ours.claims["iss"]) == (
        "HS256", "auth0|bob", AUDIENCE, ISSUER)
    theirs = jwt.encode({"alg": "HS256"}, good_claims(sub="auth0|carol"), key, algorithms=["HS256"])
    assert IdentityVerifier(SECRET).verify(theirs).user_id == "auth0|carol"


def test_a_hand_built_token_is_accepted_so_the_refusals_below_are_about_one_fault_each():
    assert not refused(forge(good_claims()))
    assert not refused(forge(good_claims(aud=["another-audience", AUDIENCE])))
    assert not refused(forge(good_claims(exp=int(time.time()) - 2)))  # within the 5 s leeway


FAULTY = {
    "other-secret": lambda: forge(good_claims(), secret="another-secret-of-at-least-32-characters"),
    "hs512": lambda: forge(good_claims(), header={"alg": "HS512"}, digest=hashlib.sha512),
    "alg-none": lambda: forge(good_claims(), header={"alg": "none"}),
    "crit": lambda: forge(good_claims(), header={"alg": "HS256", "crit": ["exp"]}),
    "no-alg": lambda: forge(good_claims(), header={"typ": "JWT"}),
    "issuer": lambda: forge(good_claims(iss="somebody-else")),
    "audience": lambda: forge(good_claims(aud="another-audience")),
    "no-audience": lambda: forge(without("aud")),
    "no-subject": lambda: forge(without("sub")),
    "empty-subject": lambda: forge(good_claims(sub="")),
    "number-subject": lambda: forge(good_claims(sub=42)),
    "no-expiry": lambda: forge(without("exp")),
    "string-expiry": lambda: forge(good_claims(exp=str(int(time.time()) + 60))),
    "boolean-expiry": lambda: forge(good_claims(exp=True)),
    "expired": lambda: forge(good_claims(exp=int(time.time()) - 60)),
    "not-yet-valid": lambda: forge(good_claims(nbf=int(time.time()) + 60)),
    "string-not-before": lambda: forge(good_claims(nbf="soon")),
}


@pytest.mark.parametrize("fault", FAULTY)
def test_a_faulty_assertion_is_refused(fault):
    assert refused(FAULTY[fault]())


def test_a_token_altered_after_signing_is_refused():
    header, claims, signature = IdentitySigner(SECRET).sign("auth0|alice").split(".")
    mallory = b64(orjson.dumps(good_claims(sub="auth0|mallory")))
    assert refused(f"{header}.{mallory}.{signature}")
    assert refused(f"{header}.{claims}.{signature[:-2]}")
    assert refused(f"{header}.{claims}.")  # the unsecured form
    assert refused(f"{header}.{claims}")
    assert refused(f"{header}.{claims}.{signature}.{signature}")


@pytest.mark.parametrize("noise", ["!", " ", "=", "+", "/", "\n"])
def test_characters_outside_base64url_are_refused_not_skipped(noise):
    header, claims, signature = IdentitySigner(SECRET).sign("auth0|alice").split(".")
    # Python's base64 decoder would skip them and find the same signature (four of them keep the
    # padding it expects).
    assert refused(f"{header}.{claims}.{signature[:4]}{noise * 4}{signature[4:]}")


@pytest.mark.parametrize("segment", ["e30", "W10", "bm90IGpzb24", "A"], ids=["empty-object", "array", "not-json", "bad-length"])
def test_a_header_that_is_no_jose_header_is_refused(segment):
    _, claims, signature = IdentitySigner(SECRET).sign("auth0|alice").split(".")
    assert refused(f"{segment}.{claims}.{signature}")


def test_claims_that_are_no_object_are_refused():
    signing_input = f"{b64(orjson.dumps({'alg': 'HS256'}))}.{b64(b'[1, 2]')}"
    signature = b64(hmac.digest(SECRET.encode(), signing_input.encode(), hashlib.sha256))
    assert refused(f"{signing_input}.{signature}")


def test_missing_assertion_is_refused_with_its_own_message():
    with pytest.raises(Unauthorized, match="Missing identity assertion"):
        IdentityVerifier(SECRET).verify(None)


def test_a_remembered_assertion_still_expires(monkeypatch):
    verifier = IdentityVerifier(SECRET, leeway_seconds=5)
    token = IdentitySigner(SECRET, ttl_seconds=60).sign("auth0|alice")
    assert verifier.verify(token).user_id == "auth0|alice"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token)
