daily-limit = 오늘 만들 수 있는 검사 { $count }건을 모두 사용했습니다. 내일 이어서 진행해 주세요. 답변은 저장되어 있습니다.
export-caption = 내 정보: 검사 { $count }건 (답변, 결과, 보고서를 담은 JSON과 PDF, 사진).
export-empty = 저장된 정보가 없습니다.
command-export = 내 정보 내려받기
