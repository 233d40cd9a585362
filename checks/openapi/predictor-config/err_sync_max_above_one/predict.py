# parser_test.go TestConcurrentDecoratorRequiresAsyncForMaxGreaterThanOne.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=2)
    def predict(self) -> str:
        return "hello"
