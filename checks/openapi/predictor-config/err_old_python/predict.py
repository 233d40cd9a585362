# build.go validateEffectiveConcurrency: the decorator's concurrency needs Python 3.11.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=2)
    async def predict(self) -> str:
        return "hello"
