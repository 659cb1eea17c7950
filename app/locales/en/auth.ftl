# Log-in and sign-up (app/src/pages/credentials.rs), the pages mailed links lead to
# (app/src/pages/recovery.rs), the forms' submit button (app/src/pages/notice.rs) and the page
# for addresses that lead nowhere (app/src/pages/not_found.rs).

## Log in and sign up

auth-login-title = Log in
auth-login-submit = Log in
auth-signup-title = Sign up
auth-signup-submit = Create account
auth-username = Username
auth-username-hint = 3–32 characters: letters, digits, '.', '_' or '-'.
auth-password = Password
auth-password-hint = At least 8 characters. Several unrelated words make a strong, memorable password.
auth-email-optional = Email (optional)
auth-email-hint = We send a link to confirm it. With a confirmed address you can reset a forgotten password.
auth-forgot-link = Forgot your password?
# Followed by a link (auth-create-account-link): keep the trailing space.
auth-new-here = New here?{" "}
auth-create-account-link = Create an account
# Followed by a link (auth-log-in-link): keep the trailing space.
auth-have-account = Already have an account?{" "}
auth-log-in-link = Log in

## What a form post without JavaScript came back with

auth-error-address = That email address is not valid. Use the form name@example.com.
auth-error-no-mail = This server does not send mail, so email addresses and password reset by mail are not available. Ask the administrator.
auth-error-missing = Username and password required
auth-error-credentials = Bad username or password
auth-error-disabled = This account has been disabled. Contact the administrator.
auth-error-taken = Username already exists
auth-error-policy = That username or password is not allowed. Usernames are 3–32 characters of a–z, 0–9, '.', '_' and '-'; passwords need 8–128 characters and must not be easy to guess.
# $count: the whole minutes to wait (from 2), for the plural; $shown: the same number, formatted.
auth-error-throttled-minutes = { $count ->
    [one] Too many attempts. Try again in { $shown } minute.
   *[other] Too many attempts. Try again in { $shown } minutes.
}
# $count: the seconds to wait (under 120), for the plural; $shown: the same number, formatted.
auth-error-throttled-seconds = { $count ->
    [one] Too many attempts. Try again in { $shown } second.
   *[other] Too many attempts. Try again in { $shown } seconds.
}
auth-error-throttled-later = Too many attempts. Try again later.
auth-error-unexpected = Something went wrong on our side. Please try again.

## A form's submit button while its action runs

auth-please-wait = Please wait…

## Forgotten password (/forgot-password)

auth-forgot-title = Forgot your password?
auth-forgot-intro = Give your username or your confirmed email address. If the account has a confirmed address, we mail it a link to choose a new password.
auth-forgot-login = Username or email address
auth-forgot-submit = Send me a link
# Followed by a link (auth-log-in-link): keep the trailing space.
auth-remembered = Remembered it?{" "}

## New password (/reset-password)

auth-reset-title = Choose a new password
auth-reset-new-password = New password
auth-reset-hint = At least 8 characters. Every device where you are logged in will be logged out.
auth-reset-submit = Set new password
# Followed by a link (auth-ask-new-link): keep the trailing space.
auth-link-not-working = Link not working?{" "}
auth-ask-new-link = Ask for a new one

## Email confirmation (/confirm-email)

auth-confirm-title = Confirm your email address
auth-confirm-intro = Confirm that this address belongs to your trazo account.
auth-confirm-submit = Confirm my address
auth-your-account-link = Your account

## Page not found

auth-not-found-title = Page not found
auth-not-found-text = There is nothing at this address.
auth-not-found-home = Back to the home page
