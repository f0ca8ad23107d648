"""One router per feature; each exposes `handlers()` for the composition root."""
