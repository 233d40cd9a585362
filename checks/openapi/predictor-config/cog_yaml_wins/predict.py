# cog.yaml's concurrency.max wins over the decorator (configWithDecoratorConcurrency).
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=4)
    async def predict(self) -> str:
        return "hello"
