"""PRIDE (prejudice-related incidents), pure: what an incident report may say, the anonymity check on
its free text, the periods returns cover, small-number suppression for reports and chart geometry.

No Flask and no database: ``models/pride.py`` stores incidents, ``views/pride.py`` serves the pages.
"""
