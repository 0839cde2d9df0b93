"""The verbs of casework, one module per subject. Views, tasks and commands call these."""
