"""GIAS (Get Information About Schools): reading the public establishments extract.

Pure Python with no Flask and no database: :mod:`gias.reader` turns the bytes of an
"edubasealldata" CSV into normalised records and reasons for skipped rows. Writing them to
the database is ``models.organisations.import_gias``.
"""
