## /export in several parts, each under the Bot API upload limit

export-part = Part { $part } of { $parts }. Each part is a complete ZIP file; cases.json is in part 1.
