# parser_test.go TestConcurrentDecoratorQualifiedMax.
import cog


class Predictor(cog.BasePredictor):
    @cog.concurrent(max=4)
    async def predict(self) -> str:
        return "hello"
