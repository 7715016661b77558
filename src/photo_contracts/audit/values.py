"""String values of two runs, made comparable: what varies from run to run is not a change.

Two runs of the same API differ in values that mean nothing: the host and port of a URL (a
sandbox binds an ephemeral loopback port; a vendor may serve from any CDN host), the signature,
credential, date and expiry of a signed URL, ids, timestamps and the free-text error messages
that echo a fuzzed input. `comparable` turns a value into what is compared (URLs keep only their
path and the names of their query parameters, with ids masked) or `None` when the value is
generated and not comparable at all; `string_format` names the format of a value, so that a
path whose values all had one format can be checked for another one, without comparing values.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s]*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DIGITS = re.compile(r"\d{2,}")  # in URLs: ids, dates, counters (`v2` stays, `2024.059` does not)
# a run of letters and digits long enough to be a key, a hash or a random token, not a word
_TOKEN = re.compile(r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}")
_HEX = re.compile(r"^(0x)?[0-9a-f]{16,}$", re.IGNORECASE)
# a date or a time in any other notation (13/03/2021, 2021.03.13, 18:15): still a timestamp, not an enum member
_LOOSE_DATE_OR_TIME = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\b\d{1,2}:\d{2}\b")

# Query parameters of signed URLs (S3 SigV4 and SigV2, CloudFront, GCS, Azure SAS) and other
# per-request values: their values are never compared, only their names.
_SIGNED = re.compile(r"^(x-amz-.*|x-goog-.*|signature|expires|key-pair-id|policy|awsaccesskeyid|"
                     r"sig|se|st|sv|sp|sr|spr|skoid|sktid|skt|ske|sks|skv|token|access_token|"
                     r"expires_in|expiry|ts|timestamp|nonce)$", re.IGNORECASE)

MAX_WORDS = 3  # longer strings are messages (they echo inputs, ids, fuzzed text), not enum values
MAX_LENGTH = 64


def _mask(text: str) -> str:
    """Ids, long numbers and random tokens in a URL path or query value, replaced by placeholders."""
    text = _UUID.sub("{uuid}", text)
    text = _TOKEN.sub("{token}", text)
    return _DIGITS.sub("{n}", text)


def url_template(value: str) -> str:
    """`http://127.0.0.1:5123/photos/<uuid>.jpg?X-Amz-Signature=ab12` -> `http://{host}/photos/{uuid}.jpg?X-Amz-Signature=`."""
    parts = urlsplit(value)
    query = sorted((name, "" if _SIGNED.match(name) else _mask(v))
                   for name, v in parse_qsl(parts.query, keep_blank_values=True))
    text = f"{parts.scheme.lower()}://{{host}}{_mask(parts.path)}"
    if query:
        text += "?" + "&".join(f"{name}={v}" for name, v in query)
    return text


def string_format(value: str) -> str:
    """The format of a string value: url, date-time, date, uuid, or other."""
    if _URL.match(value):
        return "url"
    if _DATE_TIME.match(value) or _HTTP_DATE.match(value):
        return "date-time"
    if _DATE.match(value):
        return "date"
    if _UUID.fullmatch(value):
        return "uuid"
    return "other"


def generated(value: str) -> bool:
    """A value made up per request or per run (a timestamp, an id, a token, a message), never an enum member."""
    if string_format(value) in ("date-time", "date", "uuid"):
        return True
    if _HEX.match(value) or _TOKEN.fullmatch(value) or _UUID.search(value) or _LOOSE_DATE_OR_TIME.search(value):
        return True
    if len(value) > MAX_LENGTH or len(value.split()) > MAX_WORDS:
        return True
    return not value.isascii() or not value.isprintable() or any(q in value for q in "'\"`")


def comparable(value: str) -> str | None:
    """What is compared of a value from one run with the values of another; None: not comparable."""
    if _URL.match(value):
        return url_template(value)
    return None if generated(value) else value
