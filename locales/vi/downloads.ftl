## An upload whose size Telegram did not declare, found too large while downloading

photo-over-limit = Tệp này lớn hơn { $max_mb } MB. Vui lòng gửi ảnh nhỏ hơn.
