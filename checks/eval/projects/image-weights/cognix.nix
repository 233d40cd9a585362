# Weights built into the image: two files of a Hugging Face repository, one of them large, and a
# file at a URL.
{
  cognix.imageWeights = [
    { source = "hf://acme/tiny@v1.0"; include = [ "*.safetensors" "*.json" ]; target = "/src/weights/tiny"; }
    { source = "https://example.com/models/RealESRGAN_x4plus.pth"; target = "/src/weights/esrgan"; }
  ];
}
