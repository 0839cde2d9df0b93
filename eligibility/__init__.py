"""Eligibility: programs, enrollments, date-versioned rule parameters, rules as code, determinations.

`eligibility.rules` holds the pure rules (no Django). Around them: `models` (Program,
ParameterValue, Enrollment with its status table, Determination, append-only once decided),
`services` (snapshot_build, determination_run / _finalise / _replay / _whatif, the notice,
enrollment_apply / _transition), `selectors`, and the case's Eligibility tab (`views`).
The shipped parameter values are loaded by migration 0001 and by `eligibility_load_parameters`.
"""
