## An upload whose size Telegram did not declare, found too large while downloading

photo-over-limit = That file is larger than { $max_mb } MB. Please send a smaller photo.
