# Photo quality gate (inference/quality.py). Each issue has a reason and a concrete tip.

quality-too-small = The photo is too small to assess: it has too few pixels.
quality-too-small-tip = Send the original photo, not a thumbnail or a screenshot, and move closer so the skin fills most of the frame.

quality-too-dark = The photo is too dark to see the skin clearly.
quality-too-dark-tip = Use daylight near a window or turn on a bright room light, and don't cover the spot with your shadow.

quality-too-bright = The photo is overexposed: the skin looks washed out.
quality-too-bright-tip = Avoid direct sunlight and the camera flash; use soft, indirect daylight instead.

quality-blurry = The photo is blurry, so details of the skin can't be seen.
quality-blurry-tip = Hold the phone steady 10–15 cm from the skin, tap the spot on the screen to focus, and wait a moment before taking the photo.

quality-flat = The photo looks almost like a single colour; no skin area can be recognised.
quality-flat-tip = Make sure the lens is not covered, point the camera at the affected area and include a little healthy skin around it.

## Checks as each photo arrives (bot/routers/intake.py): the reasons and tips above follow the first line.

upload-quality-rejected = I can't assess this photo reliably:
upload-not-skin = This does not look like a photo of skin.
upload-send-another = Please send another photo. Your other answers are kept.
# Photos sent together (an album): which one was turned back.
upload-album-item = Photo { $position } of the { $count } you sent:
