# The method a base class in the same file defines.
from cog import BasePredictor, concurrent


class Base(BasePredictor):
    @concurrent(max=8)
    async def predict(self) -> str:
        return "hello"


class Predictor(Base):
    def setup(self) -> None:
        pass
