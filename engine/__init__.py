"""jixiao (绩效): a rules-driven engine for budget performance self-evaluation.

Data flows one way: load → validate → compile (`Plan`) → evaluate (`Result`) →
render. Nothing in this package prints, exits or writes files except
`fileio.write_atomic`, which the CLI calls.
"""
__version__ = "0.1.0"
