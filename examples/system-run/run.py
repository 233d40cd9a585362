import pickle
import random
import subprocess
from pathlib import Path

import soundfile
from cog import BaseRunner, Input

# Unpacked by the last build.run command.
WORDS = Path("/opt/data/english-words-2.0.1/english_words/data/web2_lower.pickle")


class Runner(BaseRunner):
    def run(self, text: str = Input(description="Text to speak; a random word when empty", default="")) -> Path:
        if not text:
            text = random.choice(sorted(pickle.loads(WORDS.read_bytes())))
        wav, mp3 = Path("/tmp/speech.wav"), Path("/tmp/speech.mp3")
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)
        print(f"{text!r}: {soundfile.info(str(wav)).duration:.2f} s")
        subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav), str(mp3)], check=True)
        return mp3
