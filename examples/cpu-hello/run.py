from pathlib import Path

from cog import BaseRunner, Input
from PIL import Image, ImageDraw


class Runner(BaseRunner):
    def run(
        self,
        text: str = Input(description="Text to draw", default="hello from cognix"),
        width: int = Input(description="Image width in pixels", default=512, ge=64, le=2048),
    ) -> Path:
        image = Image.new("RGB", (width, 128), "white")
        ImageDraw.Draw(image).text((16, 56), text, fill="black")
        out = Path("/tmp/out.png")
        image.save(out)
        return out
