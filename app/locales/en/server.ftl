# The server's messages (app/src/i18n/server_text.rs): the JSON API keeps sending them in English,
# as its contract; the pages show them from here. Each English entry is the server's own text,
# word for word. $wait is one of the server-wait-* messages; $limit, $min, $max and $shown are
# numbers already formatted; $size is a size such as "5 MiB".

## Waits, as in "Try again in 2 minutes."
server-wait-seconds = { $count ->
    [one] { $shown } second
   *[other] { $shown } seconds
}
server-wait-minutes = { $count ->
    [one] { $shown } minute
   *[other] { $shown } minutes
}
server-wait-hours = { $count ->
    [one] { $shown } hour
   *[other] { $shown } hours
}

## Limits reached
server-too-many-signups = Too many accounts were created from your network. Try again in { $wait }.
server-too-many-failures-network = Too many failed log-ins from your network. Try again in { $wait }.
server-too-many-failures-account = Too many failed log-ins for this account. Try again in { $wait }.
server-too-many-confirmation-mails = Too many confirmation mails were asked for this account. Try again in { $wait }.
server-too-many-reset-requests = Too many password reset requests from your network. Try again in { $wait }.
server-labels-limit = Labels limit reached ({ $limit } an hour). Try again in { $wait }.
server-rate-limit-hour = Rate limit reached ({ $limit } an hour). Try again in { $wait }.
server-rate-limit-day = Rate limit reached ({ $limit } a day). Try again in { $wait }.
server-rate-limit = Rate limit reached (the limit). Try again in { $wait }.
server-too-many-at-once = Too many log-ins or sign-ups from your network at once. Try again in a second.
server-password-checks-busy = Too many log-ins and sign-ups are being checked right now. Please try again in a moment.

## Sessions and log-in
server-token-expired = Token has expired
server-missing-authorization = Missing Authorization Header
server-invalid-token = Invalid token
server-missing-refresh-token = Missing refresh token
server-refresh-token-reused = This refresh token was already used, so the session was ended for safety. Please log in again.
server-invalid-authorization-header = Invalid Authorization header
server-authorization-form = Authorization header must be of the form: Bearer <token>
server-missing-credentials = Username and password required
server-bad-credentials = Bad username or password
server-session-ended = Session has ended; please log in again
server-account-disabled = This account has been disabled. Contact the administrator.
server-logged-out = Logged out
server-logged-out-everywhere = Logged out on every device

## Usernames, addresses and passwords
server-username-length = Usernames are { $min } to { $max } characters long.
server-username-characters = Usernames may use only letters a–z, digits, dots, underscores and hyphens.
server-username-start = Usernames start with a letter or a digit.
server-username-reserved = This username is reserved. Please choose another.
server-username-taken = Username already exists
server-bad-email = That email address is not valid. Use the form name@example.com (at most 254 characters).
server-password-too-short = Passwords are at least { $min } characters long.
server-password-too-long = Passwords are at most { $max } characters long.
server-password-too-easy = This password is too easy to guess.
server-password-add-more = Add more words or characters.

## A refused password's advice (zxcvbn's words)
server-advice-straight-rows = Straight rows of keys are easy to guess.
server-advice-short-keyboard-patterns = Short keyboard patterns are easy to guess.
server-advice-repeats-aaa = Repeats like "aaa" are easy to guess.
server-advice-repeats-abcabc = Repeats like "abcabcabc" are only slightly harder to guess than "abc".
server-advice-top-10 = This is a top-10 common password.
server-advice-top-100 = This is a top-100 common password.
server-advice-very-common = This is a very common password.
server-advice-similar-to-common = This is similar to a commonly used password.
server-advice-sequences = Sequences like abc or 6543 are easy to guess.
server-advice-recent-years = Recent years are easy to guess.
server-advice-word-by-itself = A word by itself is easy to guess.
server-advice-dates = Dates are often easy to guess.
server-advice-names-by-themselves = Names and surnames by themselves are easy to guess.
server-advice-common-names = Common names and surnames are easy to guess.
server-advice-use-a-few-words = Use a few words, avoid common phrases.
server-advice-no-need-for-symbols = No need for symbols, digits, or uppercase letters.
server-advice-add-another-word = Add another word or two. Uncommon words are better.
server-advice-capitalization = Capitalization doesn't help very much.
server-advice-all-uppercase = All-uppercase is almost as easy to guess as all-lowercase.
server-advice-reversed-words = Reversed words aren't much harder to guess.
server-advice-predictable-substitutions = Predictable substitutions like '@' instead of 'a' don't help very much.
server-advice-longer-keyboard-pattern = Use a longer keyboard pattern with more turns.
server-advice-avoid-repeats = Avoid repeated words and characters.
server-advice-avoid-sequences = Avoid sequences.
server-advice-avoid-recent-years = Avoid recent years.
server-advice-avoid-years-associated = Avoid years that are associated with you.
server-advice-avoid-dates-associated = Avoid dates and years that are associated with you.

## The account
server-registered = User registered successfully
server-password-change-fields = Current and new password required
server-password-changed = Password changed. Your other sessions have been logged out.
server-password-not-correct = The password is not correct
server-password-required = Password required
server-account-deleted = Your account and its data have been deleted
server-language-unknown = language must be en or es
server-language-saved = Language saved.

## Email addresses and mailed links
server-mail-disabled = This server does not send mail, so email addresses and password reset by mail are not available. Ask the administrator.
server-email-confirmed = Your email address is confirmed.
server-email-unconfirmed = Confirm your email address before making predictions: follow the link we mailed you, or ask for a new one.
server-link-unknown = This link is not valid. Copy the whole link from the mail, or ask for a new one.
server-link-used = This link was already used. Ask for a new one if you need it.
server-link-expired = This link has expired. Ask for a new one.
server-link-replaced = This link is for an address that is no longer on the account.
server-address-taken = This address is already confirmed for another account.
server-no-address = There is no address to confirm. Add one on your account page.
server-address-already-confirmed = Your address is already confirmed.
server-confirmation-sent = We sent a new confirmation link. It can take a few minutes to arrive.
server-email-change-fields = New address and password required
server-address-unchanged = That is already your confirmed address.
server-address-changed = Address changed. We sent a link to the new address to confirm it.
server-reset-login-required = Username or email address required
server-reset-requested = If that account exists and has a confirmed email address, we sent it a link to reset the password.
server-new-password-required = New password required
server-password-reset = Your password was changed. Log in with the new one.

## Administration
server-admin-only = Only administrators can do this
server-search-too-long = The search is too long ({ $max } characters at most)
server-admin-disable-fields = Username and disabled (true or false) required
server-no-such-user = No such user
server-cannot-disable-self = You cannot disable your own account
server-user-disabled = { $username } is disabled and logged out
server-user-enabled = { $username } is enabled

## Predictions, uploads and the history
server-no-file = No file was found in the request.
server-not-an-image = File type not allowed. Please upload a PNG, JPG, JPEG or GIF image.
server-file-too-large = The file is too large. Please send an image under { $size }.
server-image-unreadable = The image could not be read: the file looks damaged or incomplete.
server-image-too-many-pixels = The image has too many pixels: at most 4096 × 4096. Please send a smaller picture.
server-no-digit = No digit found in the image. Draw or photograph a single digit with clear contrast.
server-images-busy = The server is busy reading other images. Please try again in a second.
server-recogniser-busy = The recogniser is busy right now. Please try again in a second.
server-recogniser-unavailable = The recogniser is not available right now. Please try again shortly.
server-label-id-required = id is required
server-bad-digit = digit must be a whole number from 0 to 9
server-bad-label-filter = label must be confirmed, corrected or unlabelled
server-no-such-prediction = No such prediction in your history
server-history-cleared = Your history has been cleared
server-wrong-model = This server runs model { $version }: reload the page for its live guess.
server-downloads-busy = The server is busy preparing other downloads. Please try again in a few seconds.
server-no-such-dataset-file = No such file: the dataset is images-idx3-ubyte.gz, labels-idx1-ubyte.gz or digits.csv
server-no-such-chart = No such chart: hours.svg, days.svg, confidence.svg or confusion.svg

## Requests and the service
server-internal = Something went wrong on our side. Please try again.
server-database-unavailable = The database is not available right now. Please try again shortly.
server-request-too-large = The request is too large ({ $size } at most).
server-no-such-endpoint = No such API endpoint
server-use-methods = Use { $methods } for this endpoint
server-method-not-allowed = Method not allowed: { $method }
server-body-not-valid = The request body is not valid: { $reason }
server-cross-site = Cross-site request refused
server-unreachable = Could not reach trazo. Check your connection and try again.
server-predictions-unavailable = The prediction service is not available.
server-accounts-unavailable = The accounts service is not available.
server-request-unavailable = The request is not available.
server-browser-cannot-send = This browser cannot send files.
