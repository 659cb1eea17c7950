# The admin's pages: accounts (app/src/pages/admin.rs) and how the model is doing
# (app/src/pages/stats.rs).
admin-title = Admin
admin-only-heading = Admins only
admin-only-text = This page is for trazo's administrators. Your account can draw and upload digits.
admin-only-home = Back to the home page
admin-accounts-heading = Accounts
admin-stats-link = How the model is doing
admin-search-label = Search by username
admin-search-button = Search
admin-accounts-loading = Loading accounts…
# $count: how many (for the plural form); $shown: the same number, formatted.
admin-account-count = { $count ->
    [one] { $shown } account
   *[other] { $shown } accounts
}
admin-col-username = Username
admin-col-role = Role
admin-col-created = Created
admin-col-status = Status
admin-col-action = Action
# $role: the account's role as the server names it (admin, user).
admin-role = { $role ->
    [admin] admin
    [user] user
   *[other] { $role }
}
admin-status-active = active
admin-status-disabled = disabled
admin-you = You
admin-enable = Enable
admin-disable = Disable
# The buttons' accessible names; $name is the account's username.
admin-enable-user = Enable { $name }
admin-disable-user = Disable { $name }
admin-previous = ← Previous
admin-next = Next →
# /admin/stats
admin-stats-title = Figures
admin-stats-heading = How the model is doing
admin-stats-accounts-link = Accounts
admin-stats-loading = Loading the figures…
admin-stats-last-day = Predictions, last 24 hours
admin-stats-last-month = Predictions, last 30 days
admin-stats-cache = Answered from the cache
admin-stats-refused = Refused by the rate limit
admin-stats-labelled = Labelled answers
admin-stats-labelled-value = { $labelled } ({ $corrected } corrected)
# The charts' alternative texts (every number is given formatted).
admin-chart-hours-alt = Predictions per hour over the last 48 hours: { $answered } answered, { $refused } refused by the rate limit.
admin-chart-days-alt = Predictions per day over the last 30 days: { $answered } answered, { $refused } refused by the rate limit.
admin-chart-confidence-alt = The model's confidence over the last 30 days, in ten bins: { $sure } of { $total } at { $threshold } or more.
admin-chart-confusion-alt = Confusion matrix of { $labelled } labelled answers, { $corrected } of them corrected; the table below has every cell.
admin-chart-hours-caption = Per hour, the last 48 hours (UTC)
admin-chart-days-caption = Per day, the last 30 days (UTC)
admin-chart-confidence-caption = How sure the model was, the last 30 days
admin-chart-confusion-caption = True digit (rows) against the model's answer (columns), for every labelled answer
admin-confusion-summary = The confusion matrix as a table
admin-confusion-caption = Rows: the true digit. Columns: the model's answer.
admin-confusion-true-digit = True digit
