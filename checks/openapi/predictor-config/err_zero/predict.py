# annotations.go decoratorCogConcurrentMax: max below 1.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=0)
    async def predict(self) -> str:
        return "hello"
