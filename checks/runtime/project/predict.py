# A predictor that asks cog for four predictions at once; each one sleeps, so two requests
# overlap only when the runtime really serves them concurrently.
import asyncio

from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=4)
    async def predict(self, text: str) -> str:
        await asyncio.sleep(1.5)
        return "hello " + text
