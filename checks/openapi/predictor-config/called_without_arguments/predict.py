# parser_test.go TestConcurrentDecoratorCallDefaultsToOne.
import cog


class Predictor(cog.BasePredictor):
    @cog.concurrent()
    def predict(self) -> str:
        return "hello"
