"""`python -m sandbox`: run every sandbox server until Ctrl-C."""

from sandbox.runner import serve_forever

serve_forever()
