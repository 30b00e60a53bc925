"""The one exception the template engine raises, with ARM's error codes and message shapes."""

from __future__ import annotations

from typing import Any

FUNCTIONS_HELP = "Please see https://aka.ms/arm-functions for usage details."
SYNTAX_HELP = "Please see https://aka.ms/arm-syntax for usage details."
RESOURCES_HELP = "Please see https://aka.ms/arm-syntax-resources for usage details."
PARAMETERS_HELP = "Please see https://aka.ms/arm-syntax-parameters for usage details."
PARAMETER_FILE_HELP = "Please see https://aka.ms/arm-create-parameter-file for usage details."


class TemplateError(Exception):
    """An invalid template, parameter or expression, or a runtime function that failed.

    `code` is ARM's error code (InvalidTemplate, ResourceNotFound, ...), `message` ARM-style text,
    `details` ARM error details ([{code, message, target?}])."""

    def __init__(
        self, code: str, message: str, target: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.target = target
        self.details = details or []

    def __repr__(self) -> str:
        return f"TemplateError({self.code!r}, {self.message!r})"


class ExpressionFailure(Exception):
    """Raised inside evaluation with the bare reason; turned into a TemplateError at the section boundary
    so the message says where (ARM wraps the reason in 'language expression evaluation failed')."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeferredEvaluation(Exception):
    """A runtime function (reference, list*) was reached while no host is available (during prepare)."""

    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


def validation_failed(reason: str, target: str | None = None) -> TemplateError:
    return TemplateError("InvalidTemplate", f"Deployment template validation failed: '{reason}'.", target)


def expression_failed(reason: str, target: str | None = None) -> TemplateError:
    return TemplateError(
        "InvalidTemplate",
        f"Deployment template language expression evaluation failed: '{reason}'. {FUNCTIONS_HELP}",
        target,
    )


def parse_failed(reason: str) -> TemplateError:
    return TemplateError("InvalidTemplate", f"Deployment template parse failed: '{reason}'.")


class SymbolNotFound(ExpressionFailure):
    """A parameters()/variables() name the template does not declare: ARM reports it as a validation failure."""


def too_deep() -> TemplateError:
    return validation_failed("The template is nested too deeply (through expressions or variables) to evaluate.")
