"""Playbook step functions: each reads through ports and returns evidence; the runner commits it."""
