import torch
from cog import BaseRunner, Input


class Runner(BaseRunner):
    def setup(self) -> None:
        self.device = "cuda" if torch.cuda.is_available() else "cpu"

    def run(self, size: int = Input(description="Matrix size", default=1024, ge=1, le=8192)) -> str:
        a = torch.rand(size, size, device=self.device)
        checksum = (a @ a.T).trace().item()
        name = torch.cuda.get_device_name(0) if self.device == "cuda" else "cpu"
        return f"{size}x{size} matmul on {name}: trace {checksum:.3f}"
