## An upload whose size Telegram did not declare, found too large while downloading

photo-over-limit = 파일이 { $max_mb }MB보다 큽니다. 더 작은 사진을 보내 주세요.
