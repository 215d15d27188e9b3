# Copyright 2026 The AutoIR Authors
# SPDX-License-Identifier: Apache-2.0
"""Tests for the demo tenant generator."""
