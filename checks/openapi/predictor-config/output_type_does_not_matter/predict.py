# build_test.go TestGeneratePredictorMetadataDoesNotRequireValidOutputSchema: the predictor is read,
# not imported (importing it would fail on the undefined return type).
from cog import BasePredictor, concurrent


class Predictor(BasePredictor):
    @concurrent(max=3)
    async def predict(self) -> NotARealType:
        return "hello"
