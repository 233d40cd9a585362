from cog import BasePredictor
