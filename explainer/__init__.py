"""Sourced news explainers: curated YAML facts and Markdown summaries in, a verified static site out."""

__version__ = "0.1.0"
