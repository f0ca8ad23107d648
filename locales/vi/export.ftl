## /export in several parts, each under the Bot API upload limit

export-part = Phần { $part }/{ $parts }. Mỗi phần là một tệp ZIP đầy đủ, mở riêng được; cases.json nằm trong phần 1.
