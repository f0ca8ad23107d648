"""Making and judging a classifier offline: split, dedup, training, evaluation and its report, calibration
fitting, the referral operating point and skin-tone groups. Serving (`inference`) never imports it."""
