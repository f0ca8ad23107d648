"""`skinbot bench bot`: many simulated users through intake and report at once, over loopback.

The bot under load is the real Application (routing, store, queue, delivery, PDF) talking to the fake
Bot API on 127.0.0.1. Only the models are stand-ins: a yolov8n-cls with random weights (speed does not
depend on what weights learned) and a scripted report writer with no delay, so the figures measure the
bot, not a GPU. Every user's chat is checked afterwards: each expected message and the PDF arrived exactly
once, and no chat holds another user's name, history marker or case.
"""
