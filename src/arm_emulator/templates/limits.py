"""Bounds that make hostile templates fail fast with a TemplateError instead of exhausting time or memory."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_template_bytes: int = 4 * 1024 * 1024
    max_resources: int = 800  # ARM: 800 resources per template
    max_copy_count: int = 800  # ARM: copy count max 800
    max_expression_length: int = 24_576  # ARM: 24,576 characters
    max_nesting_depth: int = 64  # expression and JSON nesting
    max_evaluation_steps: int = 1_000_000
    max_value_bytes: int = 16 * 1024 * 1024  # string/array growth (expression bombs)
    max_nested_deployments_depth: int = 5
    max_range_count: int = 10_000  # ARM: range() count at most 10000
