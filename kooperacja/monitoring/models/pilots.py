"""Pilots, milestones, support, custom indicators and snapshots."""

__all__: list[str] = []
