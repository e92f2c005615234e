"""Work that runs outside requests: scheduled jobs, mail and the validation worker pool.

These may use ``models`` (with their own database connections) and ``domain``, never ``views``.
"""
