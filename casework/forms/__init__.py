"""Forms of casework, one module per subject: shape of input and labels, no domain rules."""
