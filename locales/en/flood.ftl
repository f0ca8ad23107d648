# Flood control (casework/flood.py): sent at most once per window to a user who sends too much too fast.

flood-slow-down = You are sending messages too quickly, so I skipped some of them. Please wait a few seconds, then send your answer again.
