"""Local returns the LA designs: definitions and the checking of schools' answers (no Flask, no database).

* :mod:`.definitions` - a return's definition (shape, questions) as data, checked.
* :mod:`.answers` - checking answers and rows; findings as row, column, value, message.
* :mod:`.spreadsheets` - the per-school ``.xlsx`` and reading an uploaded ``.xlsx`` or ``.csv`` back.
"""
