# parser_test.go TestConcurrentDecoratorUndecoratedHasNoMax.
from cog import BasePredictor


class Predictor(BasePredictor):
    async def predict(self) -> str:
        return "hello"
