"""Photo names and short-lived signed photo URLs.

An <img> tag cannot send a Bearer header, so a station view also carries a URL signed with an
HMAC over the photo name and an expiry. Expiries are aligned to windows of `ttl` seconds: every
view made in one window gets the same URL, so browsers cache the image; a URL stays valid for
between `ttl` and `2 * ttl` seconds. Photos are the provider's public data, not a user's, so a
URL is not bound to a user; the expiry only bounds how long a leaked URL spends our API quota.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from shared.errors import FieldProblem, InvalidInput

# The Places API (New) photo resource name: places/{placeId}/photos/{photoReference}.
PHOTO_NAME = re.compile(r"^places/[A-Za-z0-9_-]{1,512}/photos/[A-Za-z0-9_-]{1,4096}$")
SIGNED_PHOTO_PREFIX = "/api/stations/photo-signed/"
_KEY_LABEL = b"motovault/stations/photo-url/v1"


def is_photo_name(reference: str) -> bool:
    return bool(PHOTO_NAME.match(reference))


def photo_name(reference: str) -> str:
    """`reference` when it is a photo name; anything else could steer the provider call elsewhere."""
    if not is_photo_name(reference):
        raise InvalidInput(FieldProblem("reference", "expected places/{placeId}/photos/{photoId}"),
                           message="Invalid photo reference")
    return reference


def signed_photo_max_age(cache_max_age: int, expires: int, now: float) -> int:
    """How long a browser may keep a photo fetched with a signed URL: never past the URL's expiry."""
    return max(0, min(cache_max_age, int(expires - now)))


def derive_photo_key(identity_secret: str) -> bytes:
    """A key for photo URLs derived from the identity secret, distinct from it by construction."""
    return hmac.new(identity_secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


class PhotoUrlSigner:
    def __init__(self, key: bytes, ttl_seconds: int) -> None:
        self._key = key
        self.ttl = ttl_seconds

    def expiry(self, now: float) -> int:
        return (int(now) // self.ttl + 2) * self.ttl

    def signature(self, reference: str, expires: int) -> str:
        mac = hmac.new(self._key, f"{reference}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def signed_path(self, reference: str, now: float) -> tuple[str, int]:
        expires = self.expiry(now)
        return f"{SIGNED_PHOTO_PREFIX}{reference}?exp={expires}&sig={self.signature(reference, expires)}", expires

    def photo_url(self, reference: str | None, now: float) -> str | None:
        # Signed when a view is made, never cached: a cached URL would outlive its expiry.
        return self.signed_path(reference, now)[0] if reference else None

    def verify(self, reference: str, expires: int, signature: str, now: float) -> bool:
        if expires < now:
            return False
        return hmac.compare_digest(self.signature(reference, expires), signature)
