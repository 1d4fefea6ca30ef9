"""Folder runs: plan the documents and their outputs, cut them into jobs, compute the jobs on
an engine (this process, local workers or Ray), then render and write each document's
outputs atomically, with a manifest, resume and an index page."""
