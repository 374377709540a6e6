"""Use cases: plain async functions, no Strawberry imports."""
