"""Partner services and referrals (issue 10, items 4-6 and 10).

- ``catalogue``: organisations and their services in a schema modelled on
  data·inclusion, kept by an admin or the partner itself, imported from CSV/JSON.
- ``referrals``: the coach refers a client from the plan; the client consents item
  by item to what is sent; the partner answers through a one-time expiring link
  (only its hash is stored) or as a partner user; reminders and expiry.
- ``skills_gap``: the essential ESCO skills a client lacks for a target
  occupation or vacancy.
- ``reports``: referral figures per partner and service type for managers.

Other packages call: ``referrals.create_referral`` (from the plan),
``referrals.remind_and_expire`` (scheduled), ``catalogue.import_rows`` (CLI).
"""
