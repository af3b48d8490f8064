"""Publishes on demand, for the "after a publish" row, the memory run and the visitors while
publishing: a process of its own (`python -m bench.inprocess publisher`), on the set-up's
database and cache, that moves the content version on each time it is asked, as every publish
does, or publishes a sample treatment for real. It runs beside the servers,
not in them: what a publish itself costs is not counted as the workers' work."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Publisher:
    def __init__(self, env):
        self.env = env
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.inprocess", "publisher"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.expect("ready")
        return self

    def expect(self, word):
        answer = self.process.stdout.readline().strip()
        if answer != word:
            raise RuntimeError(f"the publisher said {answer!r}, not {word!r}")

    def publish(self):
        """Move the content version on; returns once it has been committed."""
        self.ask("publish")

    def publish_page(self):
        """Publish a sample treatment for real (a new revision, every signal a publish sends);
        returns once it has been committed."""
        self.ask("publish-page")

    def ask(self, command):
        self.process.stdin.write(f"{command}\n")
        self.process.stdin.flush()
        self.expect("published")

    def __exit__(self, *exc):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
