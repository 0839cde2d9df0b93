"""Eligibility: programs, enrollments, date-versioned rule parameters, rules as code, determinations.

Only the pure rules layer exists so far (`eligibility.rules`): plain functions of a household
snapshot and dated parameters, with no Django inside. The Django app (models, admin,
services) will be built around it.
"""
