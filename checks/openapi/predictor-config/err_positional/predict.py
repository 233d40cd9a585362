# parser_test.go TestConcurrentDecoratorRejectsPositionalArgument.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(2)
    async def predict(self) -> str:
        return "hello"
