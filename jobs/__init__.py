"""Background work on arq: indexing, shortlists, notifications. Start with
``arq jobs.worker.WorkerSettings``."""
