# The home page (app/src/pages/home.rs), the drawing tools (app/src/pages/draw.rs and
# app/src/pages/draw/*.rs) and "Was this right?" (app/src/pages/label.rs).

## The home page

draw-home-hero-title = Write a digit. trazo reads it.
draw-home-hero-lede = Draw a digit with your mouse, finger or pen, or upload a photo of one, and a convolutional network trained on the MNIST handwriting set tells you which digit it sees and how sure it is.
draw-home-how-title = How it reads your digit
draw-home-step-clean-title = Clean up
draw-home-step-clean = Your drawing or photo is turned to grey, its ink found and cropped, and the digit scaled to fit a 20×20 box.
draw-home-step-centre-title = Centre
draw-home-step-centre = The digit is placed on a 28×28 canvas with its centre of mass in the middle — the same way the MNIST digits were prepared.
draw-home-step-recognise-title = Recognise
draw-home-step-recognise = The network gives a probability for each digit from 0 to 9. The same network, written in Rust, runs in your browser for the live guess (compiled to WebAssembly) and on the server for the answer that is kept.
draw-home-scripts-title = For scripts
# "… under /api/, so the same service can be called with curl or from your own code."
# (/api/ and curl are code, between these three parts; keep the spaces at the ends.)
draw-home-scripts-before = Everything the pages do goes through a JSON API under{" "}
draw-home-scripts-middle = , so the same service can be called with{" "}
draw-home-scripts-after = {" "}or from your own code.
# For a member who must confirm their email address before predicting.
draw-home-confirm-title = Confirm your email address
draw-home-confirm-resend = Send the link again
draw-home-confirm-add-address = Add an address on your account page
# For a visitor, below the live guess.
draw-home-join-title = Keep your answers
draw-home-join-text = The live guess above is worked out in your browser and nothing is kept. With a free account the server gives the answer of record, keeps your history, takes uploaded photos, and lets you correct its answers and download your digits.
draw-home-join-register = Create an account
draw-home-join-login = I already have an account
# Shown where the drawing pad will be while it loads, and without JavaScript.
draw-noscript = Drawing here needs JavaScript. With an account you can upload a picture of a digit instead.

## The drawing pad

draw-title = Draw a digit
draw-hint = Draw one digit, 0 to 9, with your mouse, finger or pen. Fill most of the square.
draw-pad-waiting = Getting the drawing pad ready…
# The accessible name of the canvas.
draw-canvas-label = Drawing area
draw-brush-size = Brush size
# $size: the brush's width in pixels, formatted.
draw-brush-px = { $size } px
draw-undo = Undo
draw-clear = Clear
draw-recognise-drawing = Recognise drawing
draw-nothing-drawn = Draw a digit first.
draw-drawing-unreadable = Could not read the drawing. Please try again.
draw-cannot-send-files = This browser cannot send files.

## The upload area

draw-upload-title = Or upload an image
draw-upload-choose = Choose an image (PNG, JPEG or GIF)
draw-upload-drop-hint = …or drop one here.
draw-upload-preview-alt = Preview of the chosen image
draw-upload-recognise = Recognise image
draw-upload-wrong-type = That file is not a PNG, JPEG or GIF image. Please choose one of those.
draw-upload-drop-not-file = Drop an image file (PNG, JPEG or GIF).
draw-upload-choose-first = Choose an image first.

## The result (the server's answer)

draw-result-title = Result
draw-result-working = Recognising…
# Announced to screen readers. $digit: the answer; $probability: its probability, formatted (98.1%).
draw-result-summary = Recognised as { $digit }, with probability { $probability }.
draw-result-idle = Draw a digit or choose an image, then press Recognise.
# Shown before the big digit.
draw-result-looks-like = It looks like
# $probability: formatted (98.1%).
draw-result-probability = { $probability } probability
draw-result-cached = Answered from the cache: this exact image was recognised before.
draw-result-fresh = Freshly recognised.
draw-result-seen-alt = The 28 × 28 image the model saw
draw-result-seen-caption = What the model saw (28 × 28 pixels)
draw-result-probabilities = All ten probabilities
# $model: the model's version (an identifier); $preprocess: the preprocessing's version number.
draw-result-model = Model { $model }, preprocessing v{ $preprocess }
# The accessible name of the meter of one digit's probability.
draw-probability-digit = Digit { $digit }
# Whether the server's answer and the browser's live guess agree; $largest: the largest
# difference in a probability, formatted with four decimals.
draw-agreement-same = Your browser's live guess gave the same probabilities.
draw-agreement-differs = Your browser's live guess differs from this answer, by up to { $largest } in a probability, though both ran the same model: please tell the operator. The answer above is the one kept.
draw-agreement-other-version = Your browser's live guess used another version of the model than this answer; reload the page to bring it up to date.
# The quota line, in four parts around two bold figures:
# "Predictions left: [4 of 5] this hour (resets in 12 min), [199 of 200] today."
draw-quota-before = Predictions left:{" "}
# $remaining and $limit: formatted numbers.
draw-quota-window = { $remaining } of { $limit }
# $wait: the time until the hour's quota resets (12 min).
draw-quota-hour = {" "}this hour (resets in { $wait }),{" "}
draw-quota-day = {" "}today.
# Announced to screen readers after an answer, after draw-result-summary: how many predictions
# can still be made now (the smaller of what is left this hour and today).
draw-quota-left = { $count ->
    [one] { $count } prediction left
   *[other] { $count } predictions left
}

## The live guess

draw-live-title = Live guess
draw-live-note = Worked out in your browser as you draw, by the same model as the server's. Nothing is sent.
draw-live-loading = Loading the model…
draw-live-empty = Draw a digit to see what the model makes of it.
# $why: one of the draw-live-error-… messages below.
draw-live-unavailable = The live guess is not available in this browser ({ $why }).
draw-live-steps = How the model sees your drawing
draw-step-crop = 1. The ink, cropped
draw-step-fitted = 2. Fitted into 20 × 20
draw-step-centred = 3. Centred in 28 × 28
# Read by screen readers (hidden on screen).
draw-live-guess-digit = Live guess: { $digit }
draw-live-probabilities = Live probabilities
# $ms: how long the guess took, in whole milliseconds, formatted.
draw-live-timing = Read in { $ms } ms.
# Why the live guess is not available. $what: one of the messages below; $detail: the
# browser's technical message (not translated).
draw-live-error-detail = { $what }: { $detail }
draw-live-error-not-loaded = the model could not be loaded
draw-live-error-wrong-module = the model's module is not the one this page expects
draw-live-error-refused = the model's weights were refused
draw-live-error-not-fetched = the model's weights could not be fetched
# $status: the HTTP status code.
draw-live-error-fetch-status = the model's weights could not be fetched ({ $status })
draw-live-error-other-version = the server now runs another version of the model; reload the page
draw-live-error-unreadable = the model's answer could not be read: { $detail }
draw-live-error-read-failed = the model could not read the drawing
draw-live-error-no-pixels = This browser cannot read the drawing back.

## "Was this right?" under an answer (also in the history)

draw-label-question = Was this right?
# $digit: the model's answer; $label: the digit the person gave.
draw-label-confirmed = You confirmed it is a { $digit }.
draw-label-corrected = You said it is a { $label }, not a { $digit }.
# The accessible name of the group of buttons.
draw-label-group = Was { $digit } right?
draw-label-yes = Yes, it is { $digit }
draw-label-no = No, it is:
# The accessible name of the button of another digit.
draw-label-no-digit = No, it is { $digit }
draw-label-take-back = Take back
