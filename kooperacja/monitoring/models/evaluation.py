"""Questionnaires, findings and recommendations, good practices."""

__all__: list[str] = []
