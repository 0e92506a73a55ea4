"""Standards measured from the backend's records and the yearly results files.

``measure`` computes realized values from events; ``results_file`` reads and writes
``content/monitoring/<year>.yaml`` keeping what editors wrote; ``wording`` the default text of
computed rows.
"""
