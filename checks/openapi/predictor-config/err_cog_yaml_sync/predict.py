# build.go configWithDecoratorConcurrency: cog.yaml's concurrency.max > 1 needs an async predictor.
from cog import BasePredictor


class Predictor(BasePredictor):
    def predict(self) -> str:
        return "hello"
