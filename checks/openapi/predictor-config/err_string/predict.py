# parser_test.go TestConcurrentDecoratorRejectsStringMax.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max="2")
    async def predict(self) -> str:
        return "hello"
