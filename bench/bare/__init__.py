"""The HTTP benchmark's baseline: a bare Django page (session user, one SELECT, one INSERT, small template)."""
