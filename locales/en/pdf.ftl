## PDF report for a doctor: headings and labels. The analysis text itself comes from the model.

pdf-title = Skin pre-screening report
pdf-subtitle = Prepared by skinbot for a doctor or dermatologist
pdf-case = Case { $case }
# $created is a timezone-aware date and time, $zone its zone, e.g. "KST, UTC+09:00"
pdf-created = { DATETIME($created, dateStyle: "long", timeStyle: "short") } ({ $zone })
pdf-case-full = Full case ID: { $case }
pdf-review-title = Doctor's review

pdf-section-patient = Patient
pdf-patient-name = Name
pdf-patient-age = Age
pdf-patient-age-value =
    { $age ->
        [one] { $age } year
       *[other] { $age } years
    }
pdf-patient-gender = Gender
pdf-patient-history = Medical history
pdf-history-none = None given

pdf-section-photo = Photo
pdf-photo-caption = The photo that was sent
pdf-photo-unreadable = The photo could not be shown.
pdf-heatmap-caption = Heatmap (Grad-CAM): the warmer the colour, the more that area influenced the classifier

pdf-section-classification = Classifier result
pdf-col-condition = Condition
pdf-col-confidence = Confidence
pdf-probability = { NUMBER($value, style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1) }
pdf-top-class = most likely
pdf-classifier-note = The classifier only knows these six conditions. The percentages are its confidence, not the chance of having a disease.
pdf-classifier-uncertain = The classifier was not confident about this photo, so treat these numbers with caution.

pdf-section-triage = Recommendation
pdf-section-report = Analysis
pdf-image-not-seen = Note: the image was not seen by the language model. This text is based only on the classifier result and the answers given.

pdf-section-disclaimer = Important
pdf-disclaimer = This is a pre-screening made by software, not a diagnosis. Only a doctor can diagnose a skin condition.
pdf-emergency =
    { $emergency_number ->
        [none] In an emergency ({ -emergency-signs }), go to the nearest emergency department now.
       *[other] In an emergency ({ -emergency-signs }), go to the nearest emergency department or call { $emergency_number } now.
    }

pdf-footer = skinbot · case { $case }
pdf-page = Page { $page } of { $total }
