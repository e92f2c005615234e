"""Uploaded returns between the request and the report: file storage and the validation pool.

``storage`` keeps files (a temporary file while a job runs, then once per content under
``FILES_DIR/uploads/ab/cdef…``); ``worker`` runs one validation job with its own database
connection; ``pool`` holds each app's bounded thread pool; ``sweep`` clears what a server that
stopped mid-upload left behind, when ``serve`` starts. No Flask request objects here.
"""
