"""Background work on arq: indexing, shortlists, notifications. Start with
``kohtaanto worker`` (the interactive and the bulk queue, see ``jobs.worker``)."""
