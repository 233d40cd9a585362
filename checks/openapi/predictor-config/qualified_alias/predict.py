# parser_test.go TestConcurrentDecoratorQualifiedAliasMax.
import cog as c


class Predictor(c.BasePredictor):
    @c.concurrent(max=4)
    async def predict(self) -> str:
        return "hello"
