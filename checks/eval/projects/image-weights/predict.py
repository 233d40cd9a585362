class Predictor: pass
