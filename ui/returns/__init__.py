"""Outcome returns in the app: the Returns screen (manager) and the contract editor."""

from ui.returns.editor import ContractEditor
from ui.returns.screen import ReturnsScreen

__all__ = ["ContractEditor", "ReturnsScreen"]
