# parser_test.go TestConcurrentDecoratorImportedAliasMax; run() as cog 0.20+ names it.
from cog import BasePredictor, concurrent as concurrent_predictions


class Predictor(BasePredictor):
    @concurrent_predictions(max=2)
    async def run(self) -> str:
        return "hello"
