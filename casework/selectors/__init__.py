"""Reads for casework pages and jobs, one module per subject, always scoped by `accounts.access`."""
