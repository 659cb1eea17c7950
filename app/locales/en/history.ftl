# The history of predictions (app/src/pages/history.rs) and the pager of listings
# (app/src/pages/pager.rs, also used by the admin's list of accounts).
history-title = History
history-heading = Your predictions
history-loading = Loading your predictions…
history-no-match = No predictions match these filters.{" "}
history-show-all = Show them all
# "No predictions yet. [Draw or upload a digit] and it will show up here." (the middle is a link)
history-empty-before = No predictions yet.{" "}
history-empty-link = Draw or upload a digit
history-empty-after = {" "}and it will show up here.
# $count: how many (for the plural form); $shown: the same number, formatted.
history-count = { $count ->
    [one] { $shown } prediction
   *[other] { $shown } predictions
}
history-clear = Clear history
history-clear-confirm = { $count ->
    [one] Delete all { $shown } prediction? This cannot be undone.
   *[other] Delete all { $shown } predictions? This cannot be undone.
}
history-clear-yes = Yes, clear
history-clear-cancel = Cancel
history-newer = ← Newer
history-older = Older →
# The alternative text of an entry's image; $digit is the model's answer.
history-thumb-alt = The 28 × 28 image recognised as { $digit }
# Read by screen readers before the digit (hidden on screen); keep the final space.
history-digit = Digit{" "}
history-cached = cached
# $date (2026-11-28) and $time (07:45) as the server wrote them, in UTC.
history-when = { $date } { $time } UTC
# The filters; keep the final spaces.
history-filter-answers = Answers{" "}
history-filter-all = All
history-filter-confirmed = Confirmed right
history-filter-corrected = Corrected
history-filter-unlabelled = Not yet checked
history-filter-digit = Digit{" "}
history-filter-any = Any
history-filter-show = Show
history-dataset-title = Your digits as a dataset
history-dataset-hint = Every digit you confirmed or corrected, with the digit you gave, in MNIST's own format (a program that reads MNIST reads these unchanged) or as a CSV.
history-download-images = Images (IDX, gzip)
history-download-labels = Labels (IDX, gzip)
history-download-csv = CSV
# The pager (app/src/pages/pager.rs): its accessible name, and where the listing is.
history-pager-label = Pages
history-page-of = Page { $current } of { $pages }
