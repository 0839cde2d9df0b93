"""Pages of casework, one module per subject."""
