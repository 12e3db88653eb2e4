"""The analyst's loop (issue 19): the review web app and the feedback export."""
