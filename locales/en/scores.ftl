# The skin gate (inference/skin_gate.py) and the skin-tone limitation note in the PDF.

scores-not-skin = This does not look like a photo of skin, so no report was written.
scores-not-skin-tip = Take a close-up of the affected skin in daylight, 10–15 cm away, so that skin fills most of the frame, with no objects, pets, screens or papers in it.

scores-tone-very-light = very light
scores-tone-light = light
scores-tone-intermediate = intermediate
scores-tone-tan = tan
scores-tone-brown = brown
scores-tone-dark = dark

# $groups: skin-tone names joined with commas; $min: the fewest test photos a tone needs to count.
scores-pdf-tones-evaluated = Skin tones the classifier was tested on (at least { $min } test photos each): { $groups }. Its accuracy on other skin tones has not been measured.
scores-pdf-tones-unmeasured = The classifier's accuracy has not been measured across skin tones; it may be less accurate for some of them.
