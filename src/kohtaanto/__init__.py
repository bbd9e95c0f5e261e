"""Kohtaanto: matching jobseekers with vacancies for public employment services."""
