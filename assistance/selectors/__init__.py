"""Reads for the assistance pages and jobs, already scoped to what the user may see."""
