"""The public register in the browser, and certificate checks."""
