"""The verbs of eligibility: enrollments, snapshots, determinations, what-ifs and notices."""

from eligibility.services.determinations import (
    determination_finalise,
    determination_notice_issue,
    determination_on_findings,
    determination_replay,
    determination_replay_corrected,
    determination_run,
    determination_whatif,
)
from eligibility.services.enrollments import enrollment_apply, enrollment_transition, snap_expedited_screen
from eligibility.services.parameters import parameter_value_save
from eligibility.services.snapshots import WhatIf, parameter_table, snapshot_build, snapshot_change

__all__ = [
    "WhatIf",
    "determination_finalise",
    "determination_notice_issue",
    "determination_on_findings",
    "determination_replay",
    "determination_replay_corrected",
    "determination_run",
    "determination_whatif",
    "enrollment_apply",
    "enrollment_transition",
    "parameter_table",
    "parameter_value_save",
    "snap_expedited_screen",
    "snapshot_build",
    "snapshot_change",
]
