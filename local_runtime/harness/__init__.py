"""What the soak and chaos runs share: the real runner in a subprocess, and reading its memory."""
