"""Emulator of the Fifth pictures API (contract.yaml): a JSON list and one JPEG per picture.

`Authorization: Bearer <token>` on every request (401 and a JSON error otherwise); an unknown or
malformed picture id gets 404 and a JSON error. The pictures are real JPEGs drawn with Pillow,
the same for a seed.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from photo_contracts.sandbox import SandboxContext

BASE_PATH = "/v1"
DEFAULT_SIZE = 3


@dataclass(frozen=True)
class Picture:
    id: str
    title: str
    width: int
    height: int
    jpeg: bytes

    def listed(self) -> dict[str, object]:
        orientation = "landscape" if self.width >= self.height else "portrait"
        return {"id": self.id, "title": self.title, "width": self.width, "height": self.height,
                "orientation": orientation}


def draw(seed: int, index: int) -> Picture:
    rng = random.Random(f"{seed}-{index}")
    width, height = rng.choice(((320, 240), (240, 320), (300, 300)))
    image = Image.new("RGB", (width, height), tuple(rng.randint(0, 255) for _ in range(3)))
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4),
                                  fill=tuple(rng.randint(0, 255) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    digest = hashlib.sha256(f"{seed}-{index}".encode()).hexdigest()[:8]
    return Picture(f"pic_{digest}", f"Picture {index + 1}", width, height, buffer.getvalue())


def create_app(ctx: SandboxContext) -> Starlette:
    pictures = {p.id: p for p in (draw(ctx.seed, i) for i in range(ctx.size or DEFAULT_SIZE))}
    expected = f"Bearer {ctx.token}"

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == expected

    async def list_pictures(request: Request) -> Response:
        if not authorized(request):
            return error(401, "missing or wrong bearer token")
        return JSONResponse({"pictures": [p.listed() for p in pictures.values()]})

    async def get_picture(request: Request) -> Response:
        if not authorized(request):
            return error(401, "missing or wrong bearer token")
        picture = pictures.get(request.path_params["picture_id"])
        if picture is None:
            return error(404, "no such picture")
        return Response(picture.jpeg, media_type="image/jpeg")

    app = Starlette(routes=[
        Route(BASE_PATH + "/pictures", list_pictures, methods=["GET"]),
        Route(BASE_PATH + "/pictures/{picture_id}", get_picture, methods=["GET"]),
    ])
    app.state.dataset = pictures
    return app
