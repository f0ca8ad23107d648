## /export in several parts, each under the Bot API upload limit

export-part = 전체 { $parts }개 중 { $part }번째 파일입니다. 각 파일은 따로 열 수 있는 ZIP 파일이며, cases.json은 첫 번째 파일에 있습니다.
