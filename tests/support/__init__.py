"""Helpers shared by test packages (registry servers, ...)."""
