"""B0 `framework.floor`: bare Django views that set the floor every other benchmark is read against."""
