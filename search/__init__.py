"""Meilisearch: the derived search indexes of vacancies and jobseekers.

``indexes`` declares the two indexes and their settings, ``documents`` turns ORM
rows into index documents, ``sync`` writes them (and rebuilds with a swap),
``retrieve`` finds candidates for matching. The database is the truth; every
index can be rebuilt from it with :func:`search.sync.reindex`.
"""
