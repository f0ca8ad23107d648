"""One router per feature; each exposes `handlers()`, which `bot.application` registers."""
