# The frame around every page (app/src/layout.rs) and messages shared by every page.
common-skip-to-content = Skip to content
common-menu = Menu
common-nav-main = Main
common-nav-home = Home
common-nav-history = History
common-nav-admin = Admin
common-nav-account-of = Account of{" "}
common-log-out = Log out
common-log-in = Log in
common-sign-up = Sign up
common-footer = trazo recognises handwritten digits with a convolutional network trained on MNIST.
common-language-switch = Change the language
common-session-ended = Your session has ended. Please log in again.
