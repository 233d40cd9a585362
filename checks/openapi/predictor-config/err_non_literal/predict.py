# parser_test.go TestConcurrentDecoratorRejectsNonLiteralMax.
from cog import BasePredictor, concurrent

MAX_CONCURRENCY = 2


class Predictor(BasePredictor):
    @concurrent(max=MAX_CONCURRENCY)
    async def predict(self) -> str:
        return "hello"
