"""Task-engine adapter (Huey): the queue, the scheduler and the worker loop."""
