"""Seeded demo tenant generator. Pure: imports only the standard library."""

from autoir.demo.directory import DemoDevice, DemoUser
from autoir.demo.generator import DemoTenant, generate_demo_tenant

__all__ = ["DemoDevice", "DemoTenant", "DemoUser", "generate_demo_tenant"]
