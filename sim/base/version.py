"""The package's version: shown by `run.py --version` and recorded in every manifest."""

__version__ = "0.1.0"
