"""The built-in template functions, one module per family; importing this package registers them all."""

from . import collections, comparison, dates, deployment, lambdas, logical, network, numeric, resources, strings

__all__ = [
    "collections",
    "comparison",
    "dates",
    "deployment",
    "lambdas",
    "logical",
    "network",
    "numeric",
    "resources",
    "strings",
]
