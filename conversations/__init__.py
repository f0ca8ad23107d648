"""The intake flow and the case store. Never imports torch or telegram."""
