# parser_test.go TestConcurrentDecoratorIgnoredWhenNotFromCog.
from other import concurrent
from cog import BasePredictor


class Predictor(BasePredictor):
    @concurrent(max=4)
    async def predict(self) -> str:
        return "hello"
