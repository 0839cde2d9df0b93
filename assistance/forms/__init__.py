"""Forms of the assistance pages: the shape of input and its layout, no domain rules."""
