# parser_test.go TestConcurrentDecoratorBareDefaultsToOne: cog still bakes COG_MAX_CONCURRENCY=1.
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent
    def predict(self) -> str:
        return "hello"
