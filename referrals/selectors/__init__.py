"""Reads of the directory, of referrals (scoped by the access rule) and of the figures."""
