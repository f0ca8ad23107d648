"""The case services both channels use: translations, PDFs, the review desk, reminders, housekeeping,
flood control and metrics. Imports neither telegram nor fastapi: Telegram is reached through the ports in
`casework.channel`."""
