"""Models and the worker queue. Never imports telegram; importing this package imports no torch."""
