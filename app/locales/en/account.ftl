# The account page (app/src/pages/account.rs).

account-title = Your account
account-username = Username
account-role = Role
# The roles' names, as the account page shows them.
account-role-admin = admin
account-role-user = user
account-member-since = Member since

## Email address

account-email-title = Email address
account-email-confirmed = Confirmed
account-email-waiting = Waiting for confirmation
account-email-waiting-hint = Follow the link we mailed to this address.
account-email-none = No address yet. With a confirmed address you can reset a forgotten password.
account-email-resend = Send the link again
account-email-new = New email address
account-email-add = Email address to add
account-email-change-submit = Change address
account-email-add-submit = Add address
account-email-change-hint = We mail a link to the new address to confirm it.
account-password = Password

## Password

account-change-password-title = Change password
account-current-password = Current password
account-new-password = New password
account-change-password-submit = Change password
account-change-password-hint = Your other devices will be logged out.

## Sessions

account-sessions-title = Sessions
account-sessions-text = Log out on every device where you are logged in, this one included.
account-log-out-everywhere = Log out everywhere

## Deleting the account

account-delete-title = Delete account
account-delete-text = This deletes your account and everything stored with it. It cannot be undone.
account-delete-submit = Delete my account
