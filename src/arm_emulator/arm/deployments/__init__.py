"""ARM template deployments (Microsoft.Resources/deployments): the API, and running templates
through the emulator's own front door with the template engine (arm_emulator.templates)."""

from __future__ import annotations

from .routes import register, runner_of
from .runner import DeploymentRunner

__all__ = ["DeploymentRunner", "register", "runner_of"]
