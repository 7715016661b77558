"""Image checks: the bytes really are the image the headers and the metadata claim."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image

from photo_contracts.checks.registry import CheckContext, CheckFailed, an_image, check
from photo_contracts.provenance import Source, assumed, documented

# A Content-Type names the bytes that follow: every HTTP API promises that much. Cited only where the vendor says
# nothing closer about the image (`promise_of`).
CONTENT_TYPE = documented("rfc9110", 'The "Content-Type" header field indicates the media type of the associated '
                                     'representation')
SMALLER = assumed("a thumbnail is a reduced version of its original (the vendors call it a thumbnail, "
                  "none states its size against the original)")

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"BM", "image/bmp"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "BMP": "image/bmp", "GIF": "image/gif", "WEBP": "image/webp"}


def sniff(data: bytes) -> str | None:
    """The image type the bytes' own signature names (None if they name none)."""
    for magic, mime in SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass
class ImageSample:
    """One image fetched during a run, decoded once."""

    url: str  # redacted
    role: str  # original | thumbnail | large
    content_type: str  # media type the response declared
    data: bytes
    format: str | None = None  # Pillow's reading of the bytes
    size: tuple[int, int] | None = None
    error: str | None = None  # why it did not decode

    @classmethod
    def decode(cls, url: str, role: str, content_type: str, data: bytes, max_pixels: int) -> ImageSample:
        sample = cls(url, role, content_type.split(";")[0].strip().lower(), data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                Image.MAX_IMAGE_PIXELS = max_pixels
                with Image.open(io.BytesIO(data)) as image:
                    sample.format, sample.size = image.format, image.size
                    image.load()  # truncated or corrupt data fails here, not at open()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            sample.error = f"{type(exc).__name__}: {exc}"
        return sample

    def preview(self) -> bytes | None:
        """A small PNG of the image for reports (None if it does not decode)."""
        try:
            with Image.open(io.BytesIO(self.data)) as image:
                image.thumbnail((96, 96))
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, format="PNG")
                return buffer.getvalue()
        except Exception:  # noqa: BLE001 - a preview is a nicety; a broken image has none
            return None


def promise_of(ctx: CheckContext) -> Source:
    """The closest documented promise about an image's bytes: the vendor's words on the operation that answered with
    them (`ImageEndpoint.source`), else on thumbnails (`ApiFacts.thumbnail_source`) for a thumbnail, else on the link
    of the record that led to them (`ImageRecord.sources["links"]`), else the standard. An assumption of ours is never
    closer than the standard: it would turn a broken image into a notice."""
    thumbnail = ctx.image is not None and ctx.image.role == "thumbnail"
    for source in (ctx.endpoint.source if ctx.endpoint is not None else None,
                   ctx.target.facts.thumbnail_source if thumbnail else None,
                   _link_promise(ctx)):
        if source is not None and source.documented:
            return source
    return CONTENT_TYPE


def _link_promise(ctx: CheckContext) -> Source | None:
    """The promise on the link that led to `ctx.image`: the record's given with it, else the first documented one of
    the records that link an image of its role from the operation's answers."""
    if ctx.record_facts is not None:
        return ctx.record_facts.sources.get("links")
    role = ctx.image.role if ctx.image is not None else None
    linking = [r.sources.get("links") for r in ctx.target.facts.records
               if ctx.operation in r.operations and role in r.links]
    return next((s for s in linking if s is not None and s.documented), None)


def a_documented_thumbnail(ctx: CheckContext) -> bool:
    return ctx.image is not None and ctx.image.role == "thumbnail" and bool(_thumbnail_promise(ctx)[0])


def _thumbnail_promise(ctx: CheckContext) -> tuple[tuple[str, ...], int | None, Source | None]:
    """(formats, width, source): the image operation's own where it served the thumbnail, else the API's."""
    facts = ctx.target.facts
    if ctx.endpoint is not None:
        formats = ctx.endpoint.formats if ctx.endpoint.role == "thumbnail" else ()
        return formats, ctx.endpoint.width, ctx.endpoint.source or facts.thumbnail_source
    return facts.thumbnail_formats, None, facts.thumbnail_source


def a_record_and_its_original(ctx: CheckContext) -> bool:
    original = ctx.images.get("original")
    return ctx.record_facts is not None and original is not None and bool(original.size)


def a_thumbnail_and_its_original(ctx: CheckContext) -> bool:
    return "thumbnail" in ctx.images and "original" in ctx.images


@check("breaking", "image bytes carry the signature of the type their Content-Type names", "image", CONTENT_TYPE,
       applies_to=an_image)
def image_matches_content_type(ctx: CheckContext) -> None:
    sample = ctx.image
    actual = sniff(sample.data)
    if actual != sample.content_type and not (sample.content_type == "image/jpg" and actual == "image/jpeg"):
        raise CheckFailed(
            f"Received {actual or 'bytes of no known image type'} for {sample.url} / "
            f"Documented: Content-Type {sample.content_type or '(none)'}",
            source=promise_of(ctx), image=sample.preview(),
        )


@check("breaking", "the image decodes completely with Pillow", "image", CONTENT_TYPE, applies_to=an_image)
def image_decodes(ctx: CheckContext) -> None:
    sample = ctx.image
    if sample.error:
        raise CheckFailed(f"Received an image that does not decode ({sample.error}) from {sample.url} / "
                          f"Documented: a complete {sample.content_type} image", source=promise_of(ctx))


@check("breaking", "thumbnails are in the documented format (and width, where documented)", "image",
       applies_to=a_documented_thumbnail)
def thumbnail_is_documented_format(ctx: CheckContext) -> None:
    sample = ctx.image
    formats, width, source = _thumbnail_promise(ctx)
    if sample.error:
        return  # image_decodes reports it
    if sample.format not in formats:
        raise CheckFailed(f"Received a {sample.format} thumbnail from {sample.url} / "
                          f"Documented: {' or '.join(formats)}", source=source, image=sample.preview())
    if width is not None and sample.size and sample.size[0] != width:
        raise CheckFailed(f"Received a thumbnail {sample.size[0]} px wide from {sample.url} / "
                          f"Documented: {width} px wide", source=source, image=sample.preview())


def _get(record: Any, dotted: str | None) -> Any:
    if dotted is None:
        return None
    value = record
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


@check("breaking", "metadata in the payload agrees with the image bytes (width/height/aspectRatio, file_size, "
       "content_type, EXIF dimensions, size)", "image", applies_to=a_record_and_its_original)
def image_metadata_matches(ctx: CheckContext) -> None:
    """Compare the fields the record's facts (an ImageRecord) name with the decoded original."""
    record, facts, sample = ctx.record, ctx.record_facts, ctx.images["original"]
    problems: list[tuple[str, str, str, str]] = []  # (attribute, field, stated, actual)

    def number(key: str | None) -> float | None:
        value = _get(record, key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    if sample.size:
        width, height = sample.size
        for attribute, actual in (("width", width), ("height", height), ("exif_width", width),
                                  ("exif_height", height)):
            stated = number(getattr(facts, attribute))
            if stated is not None and stated != actual:
                problems.append((attribute, getattr(facts, attribute), f"{stated:g}", str(actual)))
        ratio = number(facts.aspect_ratio)
        if ratio is not None and abs(ratio - width / height) > 0.01:
            problems.append(("aspect_ratio", facts.aspect_ratio, f"{ratio:g}", f"{width / height:.4f}"))
    size = number(facts.byte_size)
    if size is not None and size != len(sample.data):
        problems.append(("byte_size", facts.byte_size, f"{size:g}", str(len(sample.data))))
    stated_type = _get(record, facts.content_type)
    actual_type = sniff(sample.data)
    if isinstance(stated_type, str) and actual_type and stated_type.lower() != actual_type:
        problems.append(("content_type", facts.content_type, stated_type, actual_type))
    if problems:
        # A field the vendor documents outranks one whose meaning is our assumption.
        problems.sort(key=lambda p: not getattr(facts.sources.get(p[0]), "documented", False))
        attribute, field, _, _ = problems[0]
        detail = "; ".join(f"{f} = {s}, image has {a}" for _, f, s, a in problems)
        raise CheckFailed(f"Received {detail} ({sample.url}) / Documented: metadata describes the image",
                          source=facts.sources.get(attribute), json_path=f"{ctx.record_path}.{field}",
                          image=sample.preview())


@check("breaking", "a thumbnail is no larger, in either dimension, than its original (an assumption: a notice "
       "unless `--strict`)", "image", SMALLER, applies_to=a_thumbnail_and_its_original)
def thumbnail_not_larger_than_original(ctx: CheckContext) -> None:
    thumbnail, original = ctx.images["thumbnail"], ctx.images["original"]
    if not (thumbnail.size and original.size):
        return
    if thumbnail.size[0] > original.size[0] or thumbnail.size[1] > original.size[1]:
        raise CheckFailed(
            f"Received a thumbnail of {thumbnail.size[0]}x{thumbnail.size[1]} for an original of "
            f"{original.size[0]}x{original.size[1]} ({thumbnail.url}) / Documented: a smaller version of the original",
            source=SMALLER, image=thumbnail.preview(),
        )
