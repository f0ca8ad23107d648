"""The web adapter next to the Telegram one: the REST/SSE API and the clinics' review desk (FastAPI).

It never imports telegram. What needs Telegram (telling a patient a verdict) reaches it through the
`VerdictDesk` the composition root hands in (`skinbot/web_setup.py`).
"""
