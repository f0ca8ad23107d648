daily-limit = You have reached today's limit of { $count } cases. Please continue tomorrow; your answers are kept.
export-caption = Your data: { $count ->
        [one] one case
       *[other] { $count } cases
    } (answers, results and reports as JSON, with the PDFs and photos).
export-empty = There is nothing stored about you.
command-export = Download your data
