"""The Telegram adapter: routers, keyboards, delivery and streaming of a case, and the Bot API calls."""
